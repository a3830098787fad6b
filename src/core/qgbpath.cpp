// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "qgbconvert.h"

#include <QtCore/qvarlengtharray.h>

/*!
    \class QGbPath
    \inmodule QGobridge
    \inheaderfile QGbConvert
    \brief The QGbPath class names the position of a value inside a call's
    arguments or result, for error messages.

    A path starts at a root name such as \c args or \c result and goes down
    through list indexes and map keys: \c{args[1].users[3].score}. Each
    segment lives on the stack and points to its parent, so building a path
    costs nothing; the text is only produced by toString() when an error is
    reported.

    Because a segment refers to its parent and, for keys, to the key's
    characters, a QGbPath must not outlive the objects it was built from. Use
    it as a function argument or a local variable:

    \code
    const QGbPath args("args");
    QGb::toWire(value, &out, &error, args.index(1));
    \endcode
*/

/*!
    \fn QGbPath::QGbPath()
    Constructs an empty root path. Its first key renders without a leading dot.
*/

/*!
    \fn QGbPath::QGbPath(const char *root)
    Constructs a root path named \a root (Latin-1, not copied: it must outlive
    the path; use a string literal).
*/

/*!
    \enum QGbPath::ListOfValues
    \value ListRoot The root names a list whose elements are values of their
           own, such as a call's \c args: \c{args[0]} has depth 0.
*/

/*!
    \fn QGbPath::QGbPath(const char *root, ListOfValues)
    Constructs a root path named \a root for a list of values (\c args,
    \c items): depth() counts from each element rather than from the list.
*/

/*!
    \fn int QGbPath::depth() const
    Returns how many containers (lists, maps, gadgets) of its value enclose
    the value at this path: 0 for the value itself, 1 for its elements.
    Conversions refuse values nested deeper than QGb::MaxNesting.
*/

/*!
    \fn QGbPath QGbPath::index(qsizetype i) const
    Returns the path of element \a i of the list at this path.
*/

/*!
    \fn QGbPath QGbPath::key(QStringView key) const
    Returns the path of the value of \a key in the map at this path. The
    characters of \a key are not copied.
*/

/*!
    \fn QGbPath QGbPath::key(QLatin1String key) const
    \overload
*/

/*!
    \fn const QGbPath *QGbPath::parent() const
    Returns the parent segment, or \c nullptr for a root.
*/

namespace {

inline char16_t unit(char c)
{
    return char16_t(uchar(c));
}
inline char16_t unit(char16_t c)
{
    return c;
}

template<typename Char>
bool isPlainKey(const Char *s, qsizetype n)
{
    // Not empty, and not starting like a number: value.1 would read as an index.
    if (n == 0 || (unit(s[0]) >= '0' && unit(s[0]) <= '9') || unit(s[0]) == '-')
        return false;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = unit(s[i]);
        if (c < 0x80) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                  || c == '_' || c == '-' || c == '$'))
                return false;
        } else if (!QChar(c).isLetterOrNumber()) {
            return false;
        }
    }
    return true;
}

template<typename Char>
void appendKey(QString *out, const Char *s, qsizetype n)
{
    if (isPlainKey(s, n)) {
        if (!out->isEmpty())
            out->append(QLatin1Char('.'));
        if constexpr (sizeof(Char) == 1)
            out->append(QLatin1String(s, n));
        else
            out->append(QStringView(s, n));
        return;
    }
    out->append(QLatin1String("[\""));
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = unit(s[i]);
        if (c == '"' || c == '\\')
            out->append(QLatin1Char('\\'));
        out->append(QChar(c));
    }
    out->append(QLatin1String("\"]"));
}

} // namespace

void QGbPath::appendTo(QString *out) const
{
    switch (m_kind) {
    case Root:
        out->append(QLatin1String(static_cast<const char *>(m_data)));
        break;
    case Index:
        if (out->isEmpty())
            out->append(QLatin1String("value"));
        out->append(QLatin1Char('['));
        out->append(QString::number(m_value));
        out->append(QLatin1Char(']'));
        break;
    case Key:
        appendKey(out, static_cast<const char16_t *>(m_data), m_value);
        break;
    case Latin1Key:
        appendKey(out, static_cast<const char *>(m_data), m_value);
        break;
    }
}

/*!
    Returns the path as text, for example \c{result.users[2].score}. Keys that
    are not plain identifiers are quoted: \c{result["a b"]}. An empty root
    renders as \c value when nothing names it.
*/
QString QGbPath::toString() const
{
    QVarLengthArray<const QGbPath *, 16> chain;
    for (const QGbPath *p = this; p; p = p->m_parent)
        chain.append(p);
    QString out;
    for (qsizetype i = chain.size() - 1; i >= 0; --i)
        chain[i]->appendTo(&out);
    if (out.isEmpty())
        out = QStringLiteral("value");
    return out;
}
