// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBFUNCTION_H
#define QGBFUNCTION_H

#include "qgbglobal.h"

#include <QtCore/qlist.h>
#include <QtCore/qmetatype.h>
#include <QtCore/qobjectdefs.h>
#include <QtCore/qshareddata.h>
#include <QtCore/qstring.h>
#include <QtCore/qvariant.h>

class QGbParameterPrivate;
class QGbFunctionPrivate;

class QGB_EXPORT QGbParameter
{
    Q_GADGET
    Q_PROPERTY(QString name READ name CONSTANT)
    Q_PROPERTY(Kind kind READ kind CONSTANT)
    Q_PROPERTY(QString annotation READ annotation CONSTANT)
    Q_PROPERTY(QString defaultValue READ defaultValue CONSTANT)
    Q_PROPERTY(bool hasDefault READ hasDefault CONSTANT)
    Q_PROPERTY(bool isStream READ isStream CONSTANT)
public:
    enum Kind {
        PositionalOnly,
        PositionalOrKeyword,
        VarPositional,
        KeywordOnly,
        VarKeyword,
    };
    Q_ENUM(Kind)

    QGbParameter();
    QGbParameter(const QGbParameter &other);
    QGbParameter(QGbParameter &&other) noexcept;
    QGbParameter &operator=(const QGbParameter &other);
    QGbParameter &operator=(QGbParameter &&other) noexcept;
    ~QGbParameter();

    void swap(QGbParameter &other) noexcept { d.swap(other.d); }

    QString name() const;
    Kind kind() const;
    QString annotation() const;
    QString defaultValue() const;
    bool hasDefault() const;
    bool isStream() const;
    bool isPositional() const;

    friend bool operator==(const QGbParameter &a, const QGbParameter &b) { return a.equals(b); }
    friend bool operator!=(const QGbParameter &a, const QGbParameter &b) { return !a.equals(b); }

private:
    bool equals(const QGbParameter &other) const;
    friend class QGbFunction;
    QSharedDataPointer<QGbParameterPrivate> d;
};

Q_DECLARE_SHARED(QGbParameter)

class QGB_EXPORT QGbFunction
{
    Q_GADGET
    Q_PROPERTY(QString name READ name CONSTANT)
    Q_PROPERTY(Mode mode READ mode CONSTANT)
    Q_PROPERTY(QString doc READ doc CONSTANT)
    Q_PROPERTY(QString signature READ signature CONSTANT)
    Q_PROPERTY(QList<QGbParameter> parameters READ parameters CONSTANT)
    Q_PROPERTY(bool signatureKnown READ isSignatureKnown CONSTANT)
    Q_PROPERTY(int minimumArguments READ minimumArguments CONSTANT)
    Q_PROPERTY(int maximumArguments READ maximumArguments CONSTANT)
    Q_PROPERTY(bool valid READ isValid CONSTANT)
public:
    enum Mode {
        Call,
        ServerStream,
        ClientStream,
        Bidirectional,
    };
    Q_ENUM(Mode)

    QGbFunction();
    QGbFunction(const QGbFunction &other);
    QGbFunction(QGbFunction &&other) noexcept;
    QGbFunction &operator=(const QGbFunction &other);
    QGbFunction &operator=(QGbFunction &&other) noexcept;
    ~QGbFunction();

    void swap(QGbFunction &other) noexcept { d.swap(other.d); }

    static QGbFunction fromDescription(const QVariantMap &description);

    bool isValid() const;
    QString name() const;
    Mode mode() const;
    QString doc() const;
    QString signature() const;
    QList<QGbParameter> parameters() const;
    bool isSignatureKnown() const;
    int minimumArguments() const;
    int maximumArguments() const;

    friend bool operator==(const QGbFunction &a, const QGbFunction &b) { return a.equals(b); }
    friend bool operator!=(const QGbFunction &a, const QGbFunction &b) { return !a.equals(b); }

private:
    bool equals(const QGbFunction &other) const;
    friend class QGbFunctionPrivate;
    QSharedDataPointer<QGbFunctionPrivate> d;
};

Q_DECLARE_SHARED(QGbFunction)

#endif // QGBFUNCTION_H
