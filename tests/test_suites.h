/* The list of suites, one X entry each: the runner registers them, CMake's ctest list must name the same. */
#ifndef CASCADE_TEST_SUITES_H
#define CASCADE_TEST_SUITES_H

#define CASCADE_TEST_SUITES(X) \
    X(core_status)             \
    X(core_money)              \
    X(core_alloc)              \
    X(core_time)               \
    X(core_evq)                \
    X(core_rng)                \
    X(core_pool)               \
    X(market_book)             \
    X(market_book_stops)       \
    X(market_book_diff)        \
    X(market_margin)           \
    X(market_ledger)           \
    X(market_liqindex)         \
    X(market_index)            \
    X(market_mark)             \
    X(market_funding)          \
    X(market_order_table)      \
    X(market_spot)             \
    X(market_perp)             \
    X(market_perp_liq)         \
    X(agents_retail)           \
    X(agents_maker)            \
    X(agents_arbitrageur)      \
    X(agents_liquidation_bot)  \
    X(agents_noise)            \
    X(agents_value)            \
    X(sim_output)              \
    X(sim_demo)                \
    X(sim_metrics)             \
    X(sim_config)              \
    X(sim_world)               \
    X(sim_emergence)           \
    X(sim_news_attention)      \
    X(stat_seeds)

#define CASCADE_TEST_DECLARE(name) void suite_##name(void);
CASCADE_TEST_SUITES(CASCADE_TEST_DECLARE)
#undef CASCADE_TEST_DECLARE

#endif
