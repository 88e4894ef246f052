/* The world: venues, populations, the event loop, the public market feed and the scenario's shocks (MODEL.md 2-5).
 * Design notes: docs/world.md.
 *
 * One World is one run: a plain-data definition in, no global state, deterministic for a given definition (seed
 * included). Many worlds may exist in one process (sweeps run them side by side). The world owns:
 *   - one spot venue (the index source) and one perpetual venue;
 *   - the populations, created in a fixed order, each with its own random stream rng_stream(seed, population id);
 *   - the event queue: agent wake-ups, orders and cancels arriving after their latency, shocks, metric samples;
 *     the perp venue's own schedule and the index/feed update (every second) are interleaved with it by time
 *     (at equal times: index and feed first, then the venue, then queued events in push order);
 *   - the market feed agents read, and the records the outputs are written from.
 *
 * Units: configs speak USD; the venues speak ticks (tick_usd), lots (lot_units of the asset) and quote units
 * (1 tick x 1 lot). With the defaults (0.1 USD ticks, 0.001 BTC lots) one quote unit is 0.0001 USD. */
#ifndef CASCADE_WORLD_H
#define CASCADE_WORLD_H

#include "agent.h"
#include "arbitrageur.h"
#include "liquidation_bot.h"
#include "maker.h"
#include "noise.h"
#include "perp.h"
#include "retail.h"
#include "spot.h"
#include "value.h"

#include <stdbool.h>
#include <stdint.h>

#define WORLD_MAX_SHOCKS 32
#define WORLD_POPULATIONS 8

typedef struct RunDef {
    uint64_t seed;
    SimTime start;
    SimDuration duration;
    SimDuration sample_step;      /* timeseries.csv row spacing (default 1 s) */
    bool write_trades;            /* trades.csv */
    bool progress;                /* progress bar on stderr when it is a terminal */
} RunDef;

/* The perpetual venue's exchange rules in config units. */
typedef struct PerpRulesDef {
    double maker_fee_bps, taker_fee_bps;
    double market_band_bps;
    MarkMethod mark_method;
    SimDuration mark_period;
    SimDuration funding_interval;
    double funding_interest_bps, funding_clamp_bps, funding_cap_bps;
    double impact_notional_usd;
    double insurance_fund_usd;
    int32_t max_leverage;
    LiqMode liq_mode;
    double liq_fee_bps;
    SimDuration liq_tick;
    uint32_t liq_max_orders_per_tick;
    double liq_max_notional_usd_per_tick;
    uint32_t liq_ioc_retries;
    double liq_band_bps;
    bool adl;
    bool backstop_auction;
    SimDuration generation_window;
    /* policies */
    double price_band_bps;
    double cb_move_pct;           /* 0 = off */
    SimDuration cb_window, cb_halt;
    DynMmrMode dyn_mmr;
    double dyn_max_factor;
} PerpRulesDef;

typedef struct MarketDef {
    double initial_price_usd;
    double tick_usd;
    double lot_units;
    double spot_maker_fee_bps, spot_taker_fee_bps;
    SimDuration index_period;     /* index and feed update (default 1 s) */
    PerpRulesDef perp;
} MarketDef;

/* The value traders' fundamental: a random walk with jumps, in log price. Its diffusion may carry stochastic
 * volatility: news arrives in calm and busy spells, so log(vol / vol_per_sqrt_hour) is an Ornstein-Uhlenbeck
 * process with stationary sd `vol_of_vol` and correlation time `vol_tau` (vol_of_vol 0 = constant volatility). */
typedef struct FundamentalDef {
    double vol_per_sqrt_hour;     /* diffusion (log units per sqrt(hour)); the median when vol_of_vol > 0 */
    double jumps_per_day;
    double jump_sd;               /* log-size of a jump (normal, mean 0) */
    double vol_of_vol;            /* stationary sd of the log-volatility deviation (0 = off) */
    SimDuration vol_tau;          /* its correlation time */
    SimDuration step;
} FundamentalDef;

/* Attention: traders act more often when the market moves and less when it is quiet (attention-driven trading). The
 * factor A = clamp((v / ref_vol_bps)^elasticity, min, max) multiplies the activity of retail base decisions and of
 * noise traders on both venues, where v is an EMA with time constant `tau` of the mark's realized volatility over
 * the last minute (RMS of 1-s returns scaled to a minute, bps). elasticity 0 = off (A = 1). */
typedef struct AttentionDef {
    double elasticity;
    SimDuration tau;
    double ref_vol_bps;
    double min, max;
} AttentionDef;

typedef enum ShockKind {
    SHOCK_SELL = 0,               /* market sells of `size_usd` notional on `venue`, spread over `span` */
    SHOCK_BUY,
    SHOCK_FUNDAMENTAL_JUMP,       /* the fundamental moves by `pct` */
    SHOCK_INDEX_GLITCH,           /* the index reads `pct` off for `span` (oracle failure) */
    SHOCK_MAKER_OUTAGE,           /* market makers pull their quotes and stay out for `span` */
    SHOCK_KIND_COUNT_
} ShockKind;

typedef struct ShockDef {
    ShockKind kind;
    SimDuration at;               /* offset from the start of the run */
    VenueKind venue;
    double size_usd;
    SimDuration span;
    uint32_t slices;              /* market orders the sale is cut into (spread evenly over span) */
    double pct;
    double poisson_per_day;       /* > 0: the shock also recurs as a Poisson process after `at` */
} ShockDef;

typedef struct WorldDef {
    RunDef run;
    MarketDef market;
    IntensityProfile profile;
    FundamentalDef fundamental;
    AttentionDef attention;
    RetailDef retail;
    MakerDef makers;              /* perp market makers */
    MakerDef spot_makers;
    ArbitrageurDef arbitrageurs;
    LiqBotDef liquidation_bots;
    NoiseDef noise;               /* perp noise traders */
    NoiseDef spot_noise;
    ValueDef value;
    uint32_t shock_count;
    ShockDef shocks[WORLD_MAX_SHOCKS];
} WorldDef;

typedef struct World World;

/* Population ids (fixed order: the random stream of population i is rng_stream(seed, i + 1)). */
enum {
    POP_RETAIL = 0, POP_MAKERS, POP_SPOT_MAKERS, POP_ARBITRAGEURS, POP_LIQUIDATION_BOTS, POP_NOISE, POP_SPOT_NOISE,
    POP_VALUE
};
extern const char *const world_population_names[WORLD_POPULATIONS];

typedef struct WorldCounts {
    uint64_t events;              /* queue events processed */
    uint64_t wakes;
    uint64_t submissions, cancels, rejects;
    uint64_t perp_fills, spot_fills;
    uint64_t venue_steps;         /* perp_advance / index updates */
} WorldCounts;

/* Opens an account on venue v with its starting balances: perp (mode, leverage, cash deposit) or spot (cash and
 * asset deposits). The world opens every population's accounts with it; test harnesses that stand in for the world
 * use it too. *out is written only on success. */
Status world_venue_open_account(PerpVenue *perp, SpotVenue *spot, VenueKind v, MarginMode mode, int32_t leverage,
                                Quote cash, Lots asset, AccountId *out);

/* A realistic 24 h market (every population at its module's defaults), start 2025-10-10T00:00:00Z, seed 1. */
WorldDef world_default_def(void);
/* Builds the world (venues, populations, first events). STATUS_INVALID with a reason for an inconsistent
 * definition; STATUS_NOMEM. */
Status world_create(const WorldDef *def, World **out, char *why, size_t why_cap);
void world_destroy(World *w);
/* Processes everything due up to t (<= the end of the run). */
Status world_run_until(World *w, SimTime t);
/* Runs to start + duration. */
Status world_run(World *w);
SimTime world_now(const World *w);
SimTime world_end(const World *w);

const PerpVenue *world_perp(const World *w);
const SpotVenue *world_spot(const World *w);
const MarketFeed *world_feed(const World *w);
const WorldDef *world_def(const World *w);
WorldCounts world_counts(const World *w);
/* A population's state (pass it to that module's read-only queries, e.g. maker_quoting); NULL when the block is off. */
const void *world_population(const World *w, int pop);
/* The population owning a perp account (POP_* or -1 for the world's own accounts), and the agent index. */
int world_perp_owner(const World *w, AccountId a, uint32_t *agent);
/* The same for a spot account. */
int world_spot_owner(const World *w, AccountId a, uint32_t *agent);
/* Conservation: perp_check, spot_check, plus the world's own accounts (shock actor). */
Status world_check(const World *w, char *why, size_t why_cap);

/* Observers (metrics and outputs; the live view later). Called inside world_run_until. */
typedef struct WorldObserver {
    void *ctx;
    void (*on_perp_trade)(void *ctx, const PerpTrade *t);
    void (*on_spot_trade)(void *ctx, SimTime t, const SpotTrade *tr);
    void (*on_liquidation)(void *ctx, const PerpLiqRecord *r);
    /* Every second, after the feed update. */
    void (*on_second)(void *ctx, const World *w);
} WorldObserver;
void world_set_observer(World *w, const WorldObserver *o);

const char *shock_kind_name(ShockKind k);

#endif
