/* Two mechanisms meant for the stylized facts (docs/world.md, docs/ODD.md section 8):
 *   - attention: the activity factor follows realized volatility, and the wake thinning that applies it is exact;
 *   - news: value traders who react to a fundamental jump carry it into the price within a minute, where routine
 *     wakes alone take several. */
#include "test_suites.h"
#include "test_config_util.h"
#include "test_util.h"

#include "config_world.h"
#include "run.h"

#include <math.h>
#include <stdio.h>


/* ---- attention ---- */

/* Share of 200 000 wakes that pass at the given factor and bound (binomial sd at most 0.0012). */
static double pass_rate(AgentEnv *env, MarketFeed *feed, Rng *r, double attention, double max)
{
    env->attention_max = max;
    feed->attention = attention;
    uint32_t pass = 0;
    for (int i = 0; i < 200000; i++) pass += agent_attention_pass(env, r);
    return pass / 200000.0;
}

static void attention_thinning_is_exact(void)
{
    MarketFeed feed = {0};
    AgentEnv env = {0};
    env.feed = &feed;
    /* off: every wake passes, no number is drawn, wakes are scheduled at the plain rate */
    env.attention_max = 0.0;
    feed.attention = 1.0;
    Rng r = rng_stream(3, 1), copy = r;
    for (int i = 0; i < 100; i++) CHECK(agent_attention_pass(&env, &r));
    CHECK_EQ(rng_next(&r), rng_next(&copy));
    CHECK_NEAR(agent_attention_bound(&env), 1.0, 0.0);
    /* on with a cap of 1 (attention can only slow trading): still thinned, at attention / 1 */
    double half = pass_rate(&env, &feed, &r, 0.5, 1.0);
    CHECK_GT_F64(half, 0.5 - 0.005);
    CHECK_LT_F64(half, 0.5 + 0.005);
    /* on: the pass rate is attention / max, and wakes are scheduled at max times the rate */
    double p = pass_rate(&env, &feed, &r, 1.2, 4.0);
    CHECK_GT_F64(p, 0.3 - 0.005);
    CHECK_LT_F64(p, 0.3 + 0.005);
    CHECK_NEAR(agent_attention_bound(&env), 4.0, 0.0);
    CHECK_NEAR(pass_rate(&env, &feed, &r, 4.0, 4.0), 1.0, 0.0);
}

static void attention_follows_volatility(void)
{
    /* The small shock's 15 M USD spot sale at 30 min, with attention on: the factor rises with the volatility of the
     * sale and stays inside [min, max]; with attention off it stays 1. Measured: 0.25 (the floor) at 29 min, 4 (the
     * cap) from 31 min. */
    WorldDef d;
    const char *sets[] = {"attention.elasticity=2", "attention.tau=2m", "attention.ref_vol_bps=20"};
    if (!test_load_experiment("experiments/examples/small_shock.json", sets, 3, &d)) return;
    for (int on = 0; on < 2; on++) {
        if (!on) d.attention.elasticity = 0;
        else d.attention.elasticity = 2;
        World *w = NULL;
        char why[256] = "";
        CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_OK);
        if (!w) return;
        double low = 1e9, high = 0, before = 0;
        for (int minute = 1; minute <= 40; minute++) {
            CHECK_EQ(world_run_until(w, d.run.start + minute * SIMTIME_NS_PER_MIN), STATUS_OK);
            double a = world_feed(w)->attention;
            low = fmin(low, a);
            high = fmax(high, a);
            if (minute == 29) before = a;
        }
        if (on) {
            CHECK_GE_F64(low, d.attention.min);
            CHECK_LE_F64(high, d.attention.max);
            CHECK_GT_F64(high, 1.5 * before); /* the sale's volatility raises attention */
        } else {
            CHECK_NEAR(low, 1.0, 0.0);
            CHECK_NEAR(high, 1.0, 0.0);
        }
        world_destroy(w);
    }
}

/* ---- news ---- */

/* Mean index over the minute from 10 s to 70 s after the example's -10 % fundamental jump at 10 min, as a drop
 * relative to the index just before it (a mean: the index swings by percents within that minute). */
static double index_drop_after_jump(const char *reaction, uint64_t seed)
{
    char set[64];
    snprintf(set, sizeof set, "value.news_reaction=%s", reaction);
    const char *sets[] = {set, "run.duration=12m"};
    WorldDef d;
    if (!test_load_experiment("experiments/examples/fundamental_jump.json", sets, 2, &d)) return 0.0;
    d.run.seed = seed;
    World *w = NULL;
    char why[256] = "";
    CHECK_EQ(world_create(&d, &w, why, sizeof why), STATUS_OK);
    if (!w) return 0.0;
    SimTime jump = d.run.start + 10 * SIMTIME_NS_PER_MIN;
    CHECK_EQ(world_run_until(w, jump - SIMTIME_NS_PER_S), STATUS_OK);
    double before = (double)world_feed(w)->index, sum = 0;
    for (int s = 10; s <= 70; s++) {
        CHECK_EQ(world_run_until(w, jump + s * SIMTIME_NS_PER_S), STATUS_OK);
        sum += (double)world_feed(w)->index;
    }
    world_destroy(w);
    return 1.0 - sum / 61.0 / before;
}

#define NEWS_SEEDS 8

static void news_reaction_carries_a_jump_into_the_price(void)
{
    /* Measured, seeds 1-8 (drop of the index in the minute after the jump, %): with a 20 s mean reaction 1.98,
     * 0.98, 0.97, 1.45, 1.13, 0.61, 2.56, 0.83 (median 1.05); with routine wakes only (one every 5 min per agent)
     * 0.22, 0.22, 0.10, 1.51, 0.10, 0.14, 0.13, 0.33 (median 0.18). In seed 4 the slow world falls as fast (its
     * value traders' routine wakes happen to come early), so the claim is about the typical seed. The rest of the
     * jump follows over the next minutes either way. */
    double fast[NEWS_SEEDS], slow[NEWS_SEEDS];
    int faster = 0;
    for (uint64_t seed = 1; seed <= NEWS_SEEDS; seed++) {
        fast[seed - 1] = index_drop_after_jump("20s", seed);
        slow[seed - 1] = index_drop_after_jump("0s", seed);
        faster += fast[seed - 1] > slow[seed - 1];
    }
    CHECK_GE(faster, 6);
    double mf = test_median(fast, NEWS_SEEDS), ms = test_median(slow, NEWS_SEEDS);
    CHECK_GT_F64(mf, 0.008);
    CHECK_GT_F64(mf, 3.0 * ms);
}

void suite_sim_news_attention(void)
{
    static const TestCase cases[] = {
        TEST_CASE(attention_thinning_is_exact),
        TEST_CASE(attention_follows_volatility),
        TEST_CASE(news_reaction_carries_a_jump_into_the_price),
    };
    test_add_suite("sim_news_attention", cases, TEST_COUNT(cases));
}
