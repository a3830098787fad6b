// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBERROR_P_H
#define QGBERROR_P_H

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

#include <QtCore/qshareddata.h>

class QGbErrorPrivate : public QSharedData
{
public:
    QGbError::Code code = QGbError::NoError;
    QString errorString;
    QString remoteType;
    QString remoteTraceback;
};

#endif // QGBERROR_P_H
