typedef int cascade_stub_book_; /* replaced by the book helper */
