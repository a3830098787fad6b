// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBWIRE_P_H
#define QGBWIRE_P_H

//
//  W A R N I N G
//  -------------
//
// This file is not part of the QGobridge API. It exists purely as an
// implementation detail. This header file may change from version to
// version without notice, or even be removed.
//
// We mean it.
//

// The wire module: the JSON codec, the framing and the messages of the
// protocol (docs/protocol.md), one file each.
#include "qgbframing_p.h"
#include "qgbjson_p.h"
#include "qgbmessages_p.h"

#endif // QGBWIRE_P_H
