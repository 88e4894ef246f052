/* market/order_table: per-account order lists over a pooled record store. */
#include "test_suites.h"
#include "test_util.h"

#include "order_table.h"

#include <string.h>

static void valid(OrderTable *t)
{
    char why[160] = "";
    Status s = otab_validate(t, why, sizeof why);
    if (s != STATUS_OK) fprintf(stderr, "\n%s\n", why);
    CHECK_EQ(s, STATUS_OK);
}

static void otab_lists_in_order_and_unlinks(void)
{
    OrderTable t;
    CHECK_EQ(otab_init(&t, 2, 2), STATUS_OK);
    OrderRef r[5];
    VenueOrder *o = NULL;
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(otab_add(&t, (AccountId)(i % 2), &r[i], &o), STATUS_OK); /* grows the pool past 2 */
        o->user_tag = (uint64_t)i;
    }
    valid(&t);
    CHECK_EQ(otab_count(&t, 0), 3); /* 0, 2, 4 */
    CHECK_EQ(otab_count(&t, 1), 2);
    CHECK_EQ(otab_total(&t), 5);
    /* Remove the middle of account 0's list, then its head: the rest keeps creation order. */
    CHECK(otab_remove(&t, r[2]));
    CHECK(!otab_remove(&t, r[2])); /* stale: double removal detected */
    CHECK(otab_try_get(&t, r[2]) == NULL);
    valid(&t);
    OrderRef it = otab_first(&t, 0);
    CHECK_EQ(otab_get(&t, it)->user_tag, 0);
    it = otab_next(&t, it);
    CHECK_EQ(otab_get(&t, it)->user_tag, 4);
    CHECK_EQ(otab_next(&t, it), ORDER_REF_NONE);
    CHECK(otab_remove(&t, r[0]));
    CHECK(otab_remove(&t, r[4]));
    CHECK_EQ(otab_first(&t, 0), ORDER_REF_NONE);
    CHECK_EQ(otab_count(&t, 0), 0);
    valid(&t);
    /* A reused slot gets a new reference; the old one stays stale. */
    OrderRef again;
    CHECK_EQ(otab_add(&t, 0, &again, NULL), STATUS_OK);
    CHECK_NE(again, r[4]);
    CHECK(otab_try_get(&t, r[4]) == NULL);
    CHECK_EQ(otab_first(&t, 5), ORDER_REF_NONE); /* an account beyond the table has no orders */
    CHECK_EQ(otab_reserve_accounts(&t, 100), STATUS_OK);
    CHECK_EQ(otab_count(&t, 99), 0);
    valid(&t);
    otab_fini(&t);
}

static void otab_validate_detects_corruption(void)
{
    OrderTable t;
    CHECK_EQ(otab_init(&t, 1, 4), STATUS_OK);
    OrderRef a, b;
    CHECK_EQ(otab_add(&t, 0, &a, NULL), STATUS_OK);
    CHECK_EQ(otab_add(&t, 0, &b, NULL), STATUS_OK);
    t.acct[0].count = 3;
    char why[160] = "";
    CHECK_EQ(otab_validate(&t, why, sizeof why), STATUS_INVALID);
    CHECK(strstr(why, "account 0") != NULL);
    t.acct[0].count = 2;
    valid(&t);
    otab_fini(&t);
}

void suite_market_order_table(void)
{
    static const TestCase cases[] = {
        TEST_CASE(otab_lists_in_order_and_unlinks),
        TEST_CASE(otab_validate_detects_corruption),
    };
    test_add_suite("market_order_table", cases, TEST_COUNT(cases));
}
