typedef int cascade_stub_pool_; /* replaced by the core helper */
