// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBQMLGLOBAL_H
#define QGBQMLGLOBAL_H

#include <qgbglobal.h>

#if defined(QGOBRIDGE_STATIC)
#    define QGBQML_EXPORT
#elif defined(QGOBRIDGE_BUILD_QML)
#    define QGBQML_EXPORT Q_DECL_EXPORT
#else
#    define QGBQML_EXPORT Q_DECL_IMPORT
#endif

#endif // QGBQMLGLOBAL_H
