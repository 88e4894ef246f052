/* Status codes: one X-macro list with names and messages (libuv's UV_ERRNO_MAP habit).
 *
 * Every fallible function below app/ returns a Status (or reports one through an out-parameter); nothing deep
 * inside prints. The caller at the top decides how to tell the user. */
#ifndef CASCADE_STATUS_H
#define CASCADE_STATUS_H

#define CASCADE_STATUS_MAP(X)                                              \
    X(OK,        "ok")                                                     \
    X(NOMEM,     "out of memory")                                          \
    X(INVALID,   "invalid argument")                                       \
    X(RANGE,     "value out of range")                                     \
    X(PARSE,     "could not parse input")                                  \
    X(IO,        "input/output error")                                     \
    X(FULL,      "capacity exhausted")                                     \
    X(NOT_FOUND, "not found")                                              \
    X(OVERFLOW,  "integer overflow")                                       \
    X(STALE,     "handle refers to a released object")                     \
    X(REJECTED,  "rejected by the venue")

typedef enum Status {
#define CASCADE_STATUS_ENUM(name, msg) STATUS_##name,
    CASCADE_STATUS_MAP(CASCADE_STATUS_ENUM)
#undef CASCADE_STATUS_ENUM
    STATUS_COUNT_
} Status;

/* "STATUS_RANGE" for STATUS_RANGE; "STATUS_?" for a value outside the list. */
const char *status_name(Status s);
/* A short lower-case message for users: "value out of range". */
const char *status_message(Status s);

#endif
