typedef int cascade_stub_simtime_; /* replaced by the core helper */
