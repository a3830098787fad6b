// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBCALLOPTIONS_H
#define QGBCALLOPTIONS_H

#include "qgbglobal.h"

#include <QtCore/qshareddata.h>
#include <QtCore/qvariant.h>

#include <chrono>

class QGbCallOptionsPrivate;

class QGB_EXPORT QGbCallOptions
{
public:
    QGbCallOptions();
    QGbCallOptions(const QGbCallOptions &other);
    QGbCallOptions(QGbCallOptions &&other) noexcept;
    QGbCallOptions &operator=(const QGbCallOptions &other);
    QGbCallOptions &operator=(QGbCallOptions &&other) noexcept;
    ~QGbCallOptions();

    void swap(QGbCallOptions &other) noexcept { d.swap(other.d); }

    std::chrono::milliseconds timeout() const;
    bool hasTimeout() const;
    QGbCallOptions &setTimeout(std::chrono::milliseconds timeout);

    QVariantMap keywordArguments() const;
    QGbCallOptions &setKeywordArguments(const QVariantMap &arguments);

private:
    QSharedDataPointer<QGbCallOptionsPrivate> d;
};

Q_DECLARE_SHARED(QGbCallOptions)

#endif // QGBCALLOPTIONS_H
