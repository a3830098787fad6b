// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbfunction.h"
#include "qgbfunction_p.h"

#include <algorithm>

/*!
    \class QGbParameter
    \inmodule QGobridge
    \brief The QGbParameter class describes one parameter of a Python function.

    QGbFunction::parameters() lists them in the order of the function's
    signature. The annotation and the default value are Python's text for
    them, as the signature shows them: \c{"int"}, \c{"Optional[str]"},
    \c{"2.0"}, \c{"'Hello'"}.

    QGbParameter is implicitly shared.
*/

/*!
    \enum QGbParameter::Kind

    How a parameter takes its argument, as Python's \c inspect.Parameter.kind.

    \value PositionalOnly Before a \c / in the signature: positional only.
    \value PositionalOrKeyword An ordinary parameter.
    \value VarPositional \c{*args}: any number of further positional arguments.
    \value KeywordOnly After \c{*} or \c{*args}: a keyword argument only,
           which calls from C++ cannot pass.
    \value VarKeyword \c{**kwargs}.
*/

/*!
    \property QGbParameter::name
    \brief the parameter's name.
*/

/*!
    \property QGbParameter::kind
    \brief how the parameter takes its argument.
*/

/*!
    \property QGbParameter::annotation
    \brief the parameter's annotation as Python shows it; empty if it has none.
*/

/*!
    \property QGbParameter::defaultValue
    \brief Python's \c repr() of the parameter's default value; empty if it has none.
*/

/*!
    \property QGbParameter::hasDefault
    \brief whether the parameter has a default value.
*/

/*!
    \property QGbParameter::isStream
    \brief whether the parameter is annotated \c{Iterator[...]} or
    \c{Iterable[...]}: a stream input, fed by a QGbChannel.
*/

/*!
    Constructs an empty parameter: no name, PositionalOrKeyword, no
    annotation, no default.
*/
QGbParameter::QGbParameter()
    : d(new QGbParameterPrivate)
{
}

/*!
    Constructs a copy of \a other.
*/
QGbParameter::QGbParameter(const QGbParameter &other) = default;

/*!
    Move-constructs a parameter from \a other.
*/
QGbParameter::QGbParameter(QGbParameter &&other) noexcept = default;

/*!
    Assigns \a other to this parameter and returns a reference to it.
*/
QGbParameter &QGbParameter::operator=(const QGbParameter &other) = default;

/*!
    Move-assigns \a other to this parameter and returns a reference to it.
*/
QGbParameter &QGbParameter::operator=(QGbParameter &&other) noexcept = default;

/*!
    Destroys the parameter.
*/
QGbParameter::~QGbParameter() = default;

/*!
    \fn void QGbParameter::swap(QGbParameter &other)
    Swaps this parameter with \a other. This operation is very fast and never fails.
*/

/*!
    \fn bool QGbParameter::operator==(const QGbParameter &a, const QGbParameter &b)
    Returns \c true if \a a and \a b describe the same parameter.
*/

/*!
    \fn bool QGbParameter::operator!=(const QGbParameter &a, const QGbParameter &b)
    Returns \c true if \a a and \a b differ.
*/

/*!
    Returns the parameter's name.
*/
QString QGbParameter::name() const
{
    return d->name;
}

/*!
    Returns how the parameter takes its argument.
*/
QGbParameter::Kind QGbParameter::kind() const
{
    return d->kind;
}

/*!
    Returns the parameter's annotation as Python shows it (\c{"int"},
    \c{"Optional[str]"}); empty if it has none. A string annotation comes
    without quotes.
*/
QString QGbParameter::annotation() const
{
    return d->annotation;
}

/*!
    Returns Python's \c repr() of the parameter's default value (\c{"2.0"},
    \c{"'Hello'"}, \c{"None"}); empty if it has none.
    \sa hasDefault()
*/
QString QGbParameter::defaultValue() const
{
    return d->defaultValue;
}

/*!
    Returns \c true if the parameter has a default value: a call may leave it out.
*/
bool QGbParameter::hasDefault() const
{
    return d->hasDefault;
}

/*!
    Returns \c true if the parameter is annotated \c{Iterator[...]} or
    \c{Iterable[...]}: a stream input, which a QGbChannel argument feeds.
*/
bool QGbParameter::isStream() const
{
    return d->isStream;
}

/*!
    Returns \c true if the parameter takes one positional argument: it is
    PositionalOnly or PositionalOrKeyword.
*/
bool QGbParameter::isPositional() const
{
    return d->kind == PositionalOnly || d->kind == PositionalOrKeyword;
}

bool QGbParameter::equals(const QGbParameter &other) const
{
    return d == other.d
            || (d->name == other.d->name && d->kind == other.d->kind
                && d->annotation == other.d->annotation && d->defaultValue == other.d->defaultValue
                && d->hasDefault == other.d->hasDefault && d->isStream == other.d->isStream);
}

/*!
    \class QGbFunction
    \inmodule QGobridge
    \brief The QGbFunction class describes a Python function a pool's workers expose.

    QGbPool::functions() lists the functions once the pool knows them: it asks
    the first worker that becomes ready. Each tells its name, how it is called
    (mode()), its docstring, its signature and its parameters:

    \code
    for (const QGbFunction &f : pool.functions()) {
        qDebug() << f.name() << f.signature() << f.mode();
        for (const QGbParameter &p : f.parameters())
            qDebug() << "  " << p.name() << p.annotation() << p.defaultValue();
    }
    \endcode

    Once the pool knows a function, a call that cannot work fails with
    QGbError::BadArguments before anything is sent: see QGbPool::functions().

    QGbFunction is implicitly shared.
*/

/*!
    \enum QGbFunction::Mode

    How a function is called.

    \value Call A plain function: one result (QGbPool::call()).
    \value ServerStream A generator function: it streams its output
           (QGbPool::stream()).
    \value ClientStream A plain function with a stream parameter (annotated
           \c{Iterator[...]} or \c{Iterable[...]}): it reads a QGbChannel
           and returns one result.
    \value Bidirectional A generator function with a stream parameter.
*/

/*!
    \property QGbFunction::name
    \brief the name the function is exposed under.
*/

/*!
    \property QGbFunction::mode
    \brief how the function is called.
*/

/*!
    \property QGbFunction::doc
    \brief the function's docstring; empty if it has none.
*/

/*!
    \property QGbFunction::signature
    \brief the function's signature as Python shows it, such as
    \c{"(a: int, b: int = 2) -> int"}; \c{"(...)"} if Python cannot tell.
*/

/*!
    \property QGbFunction::parameters
    \brief the function's parameters, in order; empty if it has none or if
    its signature is not known.
*/

/*!
    \property QGbFunction::signatureKnown
    \brief whether Python could tell the function's signature.

    Some builtins and extension functions have none: nothing is known about
    their parameters, and any number of arguments is accepted.
*/

/*!
    \property QGbFunction::minimumArguments
    \brief how many positional arguments a call must pass at least.
*/

/*!
    \property QGbFunction::maximumArguments
    \brief how many positional arguments a call may pass at most; -1 for no limit.
*/

/*!
    \property QGbFunction::valid
    \brief whether this describes a function (it has a name).
*/

/*!
    Constructs an invalid function.
*/
QGbFunction::QGbFunction()
    : d(new QGbFunctionPrivate)
{
}

/*!
    Constructs a copy of \a other.
*/
QGbFunction::QGbFunction(const QGbFunction &other) = default;

/*!
    Move-constructs a function from \a other.
*/
QGbFunction::QGbFunction(QGbFunction &&other) noexcept = default;

/*!
    Assigns \a other to this function and returns a reference to it.
*/
QGbFunction &QGbFunction::operator=(const QGbFunction &other) = default;

/*!
    Move-assigns \a other to this function and returns a reference to it.
*/
QGbFunction &QGbFunction::operator=(QGbFunction &&other) noexcept = default;

/*!
    Destroys the function.
*/
QGbFunction::~QGbFunction() = default;

/*!
    \fn void QGbFunction::swap(QGbFunction &other)
    Swaps this function with \a other. This operation is very fast and never fails.
*/

/*!
    \fn bool QGbFunction::operator==(const QGbFunction &a, const QGbFunction &b)
    Returns \c true if \a a and \a b describe the same function.
*/

/*!
    \fn bool QGbFunction::operator!=(const QGbFunction &a, const QGbFunction &b)
    Returns \c true if \a a and \a b differ.
*/

namespace {

QGbFunction::Mode parseMode(const QString &mode, bool *known)
{
    *known = true;
    if (mode == QLatin1String("call"))
        return QGbFunction::Call;
    if (mode == QLatin1String("server_stream"))
        return QGbFunction::ServerStream;
    if (mode == QLatin1String("client_stream"))
        return QGbFunction::ClientStream;
    if (mode == QLatin1String("bidi"))
        return QGbFunction::Bidirectional;
    *known = false;
    return QGbFunction::Call;
}

bool parseKind(const QString &kind, QGbParameter::Kind *out)
{
    static const struct
    {
        const char *name;
        QGbParameter::Kind kind;
    } kinds[] = {
        { "positional_only", QGbParameter::PositionalOnly },
        { "positional_or_keyword", QGbParameter::PositionalOrKeyword },
        { "var_positional", QGbParameter::VarPositional },
        { "keyword_only", QGbParameter::KeywordOnly },
        { "var_keyword", QGbParameter::VarKeyword },
    };
    for (const auto &k : kinds) {
        if (kind == QLatin1String(k.name)) {
            *out = k.kind;
            return true;
        }
    }
    return false;
}

} // namespace

/*!
    Returns the function that \a description describes: one entry of the
    list QGbPool::describe() answers, a map with \c name, \c mode,
    \c signature, \c doc and, if Python could tell the signature, \c params
    (see the \c describe message in the protocol documentation). Returns an
    invalid function if \a description has no name.
*/
QGbFunction QGbFunction::fromDescription(const QVariantMap &description)
{
    QGbFunction function;
    QGbFunctionPrivate *d = function.d.data();
    d->name = description.value(QStringLiteral("name")).toString();
    if (d->name.isEmpty())
        return QGbFunction();
    d->mode = parseMode(description.value(QStringLiteral("mode")).toString(), &d->modeKnown);
    d->doc = description.value(QStringLiteral("doc")).toString();
    d->signature = description.value(QStringLiteral("signature")).toString();

    const QVariant params = description.value(QStringLiteral("params"));
    if (params.metaType().id() != QMetaType::QVariantList)
        return function; // the signature is not known: nothing is checked
    const QVariantList list = params.toList();
    int positional = 0;
    int required = 0;
    bool unlimited = false;
    for (const QVariant &entry : list) {
        const QVariantMap map = entry.toMap();
        QGbParameter parameter;
        QGbParameterPrivate *p = parameter.d.data();
        p->name = map.value(QStringLiteral("name")).toString();
        if (p->name.isEmpty() || !parseKind(map.value(QStringLiteral("kind")).toString(), &p->kind))
            return function; // not understood: as if the signature were not known
        p->annotation = map.value(QStringLiteral("annotation")).toString();
        p->hasDefault = map.contains(QStringLiteral("default"));
        p->defaultValue = map.value(QStringLiteral("default")).toString();
        p->isStream = map.value(QStringLiteral("stream")).toBool();
        if (parameter.isPositional()) {
            ++positional;
            if (!p->hasDefault)
                required = positional;
        } else if (p->kind == QGbParameter::VarPositional) {
            unlimited = true;
        } else if (p->kind == QGbParameter::KeywordOnly && !p->hasDefault) {
            d->requiresKeywords = true;
        }
        d->parameters.append(std::move(parameter));
    }
    d->signatureKnown = true;
    d->minimumArguments = required;
    d->maximumArguments = unlimited ? -1 : positional;
    return function;
}

/*!
    Returns \c true if this describes a function: it has a name.
*/
bool QGbFunction::isValid() const
{
    return !d->name.isEmpty();
}

/*!
    Returns the name the function is exposed under.
*/
QString QGbFunction::name() const
{
    return d->name;
}

/*!
    Returns how the function is called.
*/
QGbFunction::Mode QGbFunction::mode() const
{
    return d->mode;
}

/*!
    Returns the function's docstring, cleaned as \c inspect.getdoc() does;
    empty if it has none.
*/
QString QGbFunction::doc() const
{
    return d->doc;
}

/*!
    Returns the function's signature as Python shows it, such as
    \c{"(a: int, b: int = 2) -> int"}; \c{"(...)"} if Python cannot tell.
*/
QString QGbFunction::signature() const
{
    return d->signature;
}

/*!
    Returns the function's parameters in order; empty if it has none or if
    its signature is not known (isSignatureKnown()).
*/
QList<QGbParameter> QGbFunction::parameters() const
{
    return d->parameters;
}

/*!
    Returns \c true if Python could tell the function's signature. If not
    (some builtins and extension functions), parameters() is empty and a call
    may pass any number of arguments.
*/
bool QGbFunction::isSignatureKnown() const
{
    return d->signatureKnown;
}

/*!
    Returns how many positional arguments a call must pass at least: one for
    each positional parameter without a default value. A QGbChannel argument
    counts as one.
*/
int QGbFunction::minimumArguments() const
{
    return d->minimumArguments;
}

/*!
    Returns how many positional arguments a call may pass at most, or -1 if
    the function takes \c{*args} (or its signature is not known).
*/
int QGbFunction::maximumArguments() const
{
    return d->maximumArguments;
}

bool QGbFunction::equals(const QGbFunction &other) const
{
    return d == other.d
            || (d->name == other.d->name && d->mode == other.d->mode
                && d->modeKnown == other.d->modeKnown && d->doc == other.d->doc
                && d->signature == other.d->signature && d->parameters == other.d->parameters
                && d->signatureKnown == other.d->signatureKnown);
}

namespace {

QString countText(qsizetype n)
{
    return n == 1 ? QStringLiteral("1 argument") : QStringLiteral("%1 arguments").arg(n);
}

// "(a, b=2, *rest)": what a call can pass positionally.
QString positionalList(const QList<QGbParameter> &parameters)
{
    QStringList names;
    for (const QGbParameter &p : parameters) {
        if (p.isPositional())
            names.append(p.hasDefault() ? p.name() + QLatin1Char('=') + p.defaultValue()
                                        : p.name());
        else if (p.kind() == QGbParameter::VarPositional)
            names.append(QLatin1Char('*') + p.name());
    }
    return QLatin1Char('(') + names.join(QStringLiteral(", ")) + QLatin1Char(')');
}

// Names as Python lists them in its errors: 'a'; 'a' and 'b'; 'a', 'b', and 'c'.
QString quotedNames(const QStringList &names)
{
    QStringList quoted;
    for (const QString &name : names)
        quoted.append(QLatin1Char('\'') + name + QLatin1Char('\''));
    if (quoted.size() <= 2)
        return quoted.join(QStringLiteral(" and "));
    const QString last = quoted.takeLast();
    return quoted.join(QStringLiteral(", ")) + QStringLiteral(", and ") + last;
}

// What binding argumentCount positional arguments and keywords to the
// parameters leaves wrong, in Python's words (the positional count is
// checked before): NoError if nothing.
QGbError bindError(const QString &function, const QList<QGbParameter> &parameters,
                   qsizetype argumentCount, const QVariantMap &keywords)
{
    const auto fail = [&function](const QString &what) {
        return QGbError(QGbError::BadArguments, QStringLiteral("%1() %2").arg(function, what));
    };
    const bool anyKeyword = std::any_of(parameters.cbegin(), parameters.cend(), [](const auto &p) {
        return p.kind() == QGbParameter::VarKeyword;
    });
    QStringList positionalOnly;
    for (auto it = keywords.keyBegin(); it != keywords.keyEnd(); ++it) {
        qsizetype position = 0;
        const QGbParameter *named = nullptr;
        for (const QGbParameter &p : parameters) {
            if (p.name() == *it && p.kind() != QGbParameter::VarPositional
                && p.kind() != QGbParameter::VarKeyword) {
                named = &p;
                break;
            }
            position += p.isPositional() ? 1 : 0;
        }
        if (!named) {
            if (!anyKeyword)
                return fail(QStringLiteral("got an unexpected keyword argument '%1'").arg(*it));
        } else if (named->kind() == QGbParameter::PositionalOnly) {
            // **kwargs takes the name as any other.
            if (!anyKeyword)
                positionalOnly.append(*it);
        } else if (named->kind() == QGbParameter::PositionalOrKeyword && position < argumentCount) {
            return fail(QStringLiteral("got multiple values for argument '%1'").arg(*it));
        }
    }
    if (!positionalOnly.isEmpty())
        return fail(QStringLiteral("got some positional-only arguments passed as keyword "
                                   "arguments: '%1'")
                            .arg(positionalOnly.join(QStringLiteral(", "))));
    QStringList missingPositional;
    QStringList missingKeyword;
    qsizetype position = 0;
    for (const QGbParameter &p : parameters) {
        if (p.isPositional()) {
            const bool named =
                    p.kind() == QGbParameter::PositionalOrKeyword && keywords.contains(p.name());
            if (position++ >= argumentCount && !p.hasDefault() && !named)
                missingPositional.append(p.name());
        } else if (p.kind() == QGbParameter::KeywordOnly && !p.hasDefault()
                   && !keywords.contains(p.name())) {
            missingKeyword.append(p.name());
        }
    }
    const auto missing = [&fail](const QStringList &names, const char *kind) {
        return fail(QStringLiteral("missing %1 required %2 argument%3: %4")
                            .arg(names.size())
                            .arg(QLatin1String(kind),
                                 names.size() == 1 ? QString() : QStringLiteral("s"),
                                 quotedNames(names)));
    };
    if (!missingPositional.isEmpty())
        return missing(missingPositional, "positional");
    if (!missingKeyword.isEmpty())
        return missing(missingKeyword, "keyword-only");
    return QGbError();
}

} // namespace

QGbError QGbFunctionPrivate::checkCall(const QGbFunction &function, qsizetype argumentCount,
                                       bool hasInput, int streamOut, const QVariantMap &keywords)
{
    const QGbFunctionPrivate *d = function.d.constData();
    const bool generator =
            d->mode == QGbFunction::ServerStream || d->mode == QGbFunction::Bidirectional;
    if (d->modeKnown && streamOut == 0 && generator) {
        return QGbError(QGbError::BadArguments,
                        QStringLiteral("%1() is a generator function: it returns a stream, but "
                                       "the call expects a single result (use stream())")
                                .arg(d->name));
    }
    if (d->modeKnown && streamOut == 1 && !generator) {
        return QGbError(QGbError::BadArguments,
                        QStringLiteral("%1() returns a single result, but the call expects a "
                                       "stream (use call())")
                                .arg(d->name));
    }
    if (d->signatureKnown && !hasInput) {
        for (const QGbParameter &p : d->parameters) {
            if (!p.isStream())
                continue;
            return QGbError(QGbError::BadArguments,
                            QStringLiteral("%1() reads a stream (%2: %3), but the call has no "
                                           "input channel (pass a QGbChannel)")
                                    .arg(d->name, p.name(), p.annotation()));
        }
    }
    if (!d->signatureKnown)
        return QGbError();
    const int min = d->minimumArguments;
    const int max = d->maximumArguments;
    // With keyword arguments, fewer positional ones may do. Without them,
    // and no parameter to be named, the count says all (every call of a
    // known function comes here).
    if ((argumentCount >= min || !keywords.isEmpty()) && (max < 0 || argumentCount <= max)) {
        if (keywords.isEmpty() && !d->requiresKeywords)
            return QGbError();
        return bindError(d->name, d->parameters, argumentCount, keywords);
    }
    QString takes;
    if (max == 0)
        takes = QStringLiteral("takes no arguments");
    else if (max < 0)
        takes = QStringLiteral("takes at least %1 %2")
                        .arg(countText(min), positionalList(d->parameters));
    else if (min == max)
        takes = QStringLiteral("takes %1 %2").arg(countText(max), positionalList(d->parameters));
    else
        takes = QStringLiteral("takes %1 to %2 %3")
                        .arg(QString::number(min), countText(max), positionalList(d->parameters));
    return QGbError(QGbError::BadArguments,
                    QStringLiteral("%1() %2, %3 given").arg(d->name, takes).arg(argumentCount));
}
