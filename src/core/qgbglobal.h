// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBGLOBAL_H
#define QGBGLOBAL_H

#include "qgbversion.h"

#include <QtCore/qglobal.h>

#if defined(QGOBRIDGE_STATIC)
#    define QGB_EXPORT
#elif defined(QGOBRIDGE_BUILD_CORE)
#    define QGB_EXPORT Q_DECL_EXPORT
#else
#    define QGB_EXPORT Q_DECL_IMPORT
#endif

#endif // QGBGLOBAL_H
