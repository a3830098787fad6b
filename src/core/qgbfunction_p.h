// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBFUNCTION_P_H
#define QGBFUNCTION_P_H

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

#include "qgberror.h"
#include "qgbfunction.h"

#include <QtCore/qshareddata.h>

class QGbParameterPrivate : public QSharedData
{
public:
    QString name;
    QGbParameter::Kind kind = QGbParameter::PositionalOrKeyword;
    QString annotation;
    QString defaultValue;
    bool hasDefault = false;
    bool isStream = false;
};

class QGbFunctionPrivate : public QSharedData
{
public:
    // What a call of function with argumentCount positional arguments (a
    // channel counts as one), an input channel or not, and an expected
    // output (streamOut: 0 a single result, 1 a stream, -1 either), and
    // these keyword arguments cannot do, as the worker would refuse it (the
    // arguments bound to the parameters as Python binds them); NoError if it
    // may go.
    static QGbError checkCall(const QGbFunction &function, qsizetype argumentCount, bool hasInput,
                              int streamOut, const QVariantMap &keywords = QVariantMap());

    QString name;
    QGbFunction::Mode mode = QGbFunction::Call;
    bool modeKnown = false; // a mode this host understands
    QString doc;
    QString signature;
    QList<QGbParameter> parameters;
    bool signatureKnown = false;
    int minimumArguments = 0;
    int maximumArguments = -1;
    // A keyword-only parameter without a default: a call must name it.
    bool requiresKeywords = false;
};

#endif // QGBFUNCTION_P_H
