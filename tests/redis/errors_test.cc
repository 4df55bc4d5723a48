// The one classification of Redis error replies (redis/errors.h).

#include "redis/errors.h"

#include <gtest/gtest.h>

namespace helpline::redis {
namespace {

TEST(ClassifyError, EveryStateOfTheServerIsTransient) {
  for (const char* e : {"LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script.",
                        "READONLY You can't write against a read only replica.",
                        "OOM command not allowed when used memory > 'maxmemory'.",
                        "MASTERDOWN Link with MASTER is down", "TRYAGAIN Multiple keys request during rehashing",
                        "CLUSTERDOWN The cluster is down", "NOREPLICAS Not enough good replicas to write."}) {
    EXPECT_EQ(ClassifyError(e), ErrorKind::kTransient) << e;
    EXPECT_TRUE(IsTransientError(e)) << e;
    EXPECT_EQ(ErrorStatus("load", e).code(), StatusCode::kUnavailable) << e;
  }
}

TEST(ClassifyError, AccessErrorsAskToFixTheConfiguration) {
  for (const char* e : {"NOAUTH Authentication required.", "WRONGPASS invalid username-password pair",
                        "NOPERM this user has no permissions to run the 'eval' command"}) {
    EXPECT_EQ(ClassifyError(e), ErrorKind::kAccess) << e;
    EXPECT_EQ(ErrorStatus("load", e).code(), StatusCode::kFailedPrecondition) << e;
  }
}

TEST(ClassifyError, TheCodeMustBeTheWholeFirstWord) {
  EXPECT_EQ(ClassifyError("BUSYKEY Target key name already exists."), ErrorKind::kOther);
  EXPECT_EQ(ClassifyError("OOMPH"), ErrorKind::kOther);
  EXPECT_EQ(ClassifyError("LOADING"), ErrorKind::kTransient) << "a code alone is enough";
  EXPECT_EQ(ClassifyError("ERR LOADING is not the code"), ErrorKind::kOther);
  EXPECT_EQ(ClassifyError("loading lower case"), ErrorKind::kOther) << "Redis codes are upper case";
  EXPECT_EQ(ClassifyError(""), ErrorKind::kOther);
}

TEST(ClassifyError, NoscriptAndEverythingElse) {
  EXPECT_EQ(ClassifyError("NOSCRIPT No matching script. Please use EVAL."), ErrorKind::kNoScript);
  for (const char* e :
       {"ERR unknown command 'FOO'", "WRONGTYPE Operation against a key holding the wrong kind of value",
        "MYERR the script says no", "ERR user_script:1: boom"}) {
    EXPECT_EQ(ClassifyError(e), ErrorKind::kOther) << e;
    EXPECT_EQ(ErrorStatus("sender store: admit", e).code(), StatusCode::kInternal) << e;
  }
}

TEST(ErrorStatus, SaysWhatFailedAndWhatRedisSaid) {
  Status s = ErrorStatus("outbox: enqueue", "OOM command not allowed");
  EXPECT_EQ(s.message(), "outbox: enqueue: OOM command not allowed");
}

}  // namespace
}  // namespace helpline::redis
