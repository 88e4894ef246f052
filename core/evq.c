typedef int cascade_stub_evq_; /* replaced by the core helper */
