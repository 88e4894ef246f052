typedef int cascade_stub_rng_; /* replaced by the core helper */
