# Read by ctest after the discovered gtest cases (TEST_INCLUDE_FILES in
# tests/CMakeLists.txt): ctest's estimate in seconds (COST) of the longest
# of them in the ASan build of scripts/test, so that they start first. A
# name that no longer exists is ignored.
set_tests_properties(ReplyCache.RememberedAnswersChangeNoReplyAndNoCountOnTheEvaluationSet PROPERTIES COST 30)
