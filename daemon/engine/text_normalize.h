#pragma once
// Text folding now lives in common/text_normalize.h (the directory index folds
// resource aliases with it too); engine code written before the move includes
// this path.
#include "common/text_normalize.h"
