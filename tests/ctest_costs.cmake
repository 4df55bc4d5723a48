# Read by ctest after the discovered gtest cases (TEST_INCLUDE_FILES in
# tests/CMakeLists.txt): ctest's estimate in seconds (COST) of the longest
# of them in the ASan build of scripts/test (its run of 2026-12-07, load
# average 4-6), so that they start first. A name that no longer exists is
# ignored.
set_tests_properties(UnderstandingCache.NeverChangesAnUnderstandingOrAReplyOnTheEvaluationSet PROPERTIES COST 12)
set_tests_properties(RiskGuardProperty.NoGuardSilencesASignOfAnotherLanguageInFrench PROPERTIES COST 41)
set_tests_properties(Outbox.ALargeSendWith503sFinishesAcrossRestarts PROPERTIES COST 30)
set_tests_properties(RiskGuardProperty.NoGuardSilencesASignOfAnotherLanguageInSpanish PROPERTIES COST 29)
set_tests_properties(ReplyCache.RememberedAnswersChangeNoReplyAndNoCountOnTheEvaluationSet PROPERTIES COST 29)
set_tests_properties(RiskGuardProperty.NoGuardSilencesASignOfAnotherLanguageInEnglish PROPERTIES COST 27)
set_tests_properties(Failover.ASentinelFailoverUnderAStreamOfWebhooksLosesNoReplyAndNoStop PROPERTIES COST 24)
set_tests_properties(RiskGuardProperty.EverySignSurvivesEveryGuardOfItsLanguageInEnglish PROPERTIES COST 24)
set_tests_properties(EngineProperties.RandomMessagesAgainstRandomDirectoriesFitAndNeverCut PROPERTIES COST 24)
set_tests_properties(Outbox.SigtermLetsTheSendsInFlightFinishOnceAndLeavesTheRestQueuedForTheNextStart PROPERTIES COST 22)
# The intent model's cross-validation trains the model once per in-sample
# file (65 files, 6,540 examples in the nineteenth session) and answers every
# row twice: 10 s in Release, past the 120 s default of the engine's tests
# under ASan; it gets the whole binaries' 300 s and starts first.
set_tests_properties(IntentModelCrossValidation.LeavingEachEvalFileOutTheModelHelpsTheRules PROPERTIES COST 150 TIMEOUT 300)
