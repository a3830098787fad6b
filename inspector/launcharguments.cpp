// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#include "launcharguments.h"

#include <QtCore/qjsonarray.h>
#include <QtCore/qjsondocument.h>
#include <QtCore/qjsonobject.h>
#include <QtCore/qjsonvalue.h>
#include <QtCore/qstringlist.h>

using namespace Qt::StringLiterals;

namespace {

// Line and column (from 1) of a byte offset into utf8.
QString position(const QByteArray &utf8, int offset)
{
    const QByteArray before = utf8.left(qMax(0, offset));
    const int line = int(before.count('\n')) + 1;
    const int column = int(QString::fromUtf8(before.mid(before.lastIndexOf('\n') + 1)).size()) + 1;
    return QObject::tr("line %1, column %2").arg(line).arg(column);
}

// Parses an editor's text as a JSON array or object (empty text: an empty
// document). False and *error, with the line and column, when it is neither.
bool parseDocument(const QString &text, QJsonDocument *document, QString *error)
{
    *document = QJsonDocument();
    if (text.trimmed().isEmpty())
        return true;
    const QByteArray utf8 = text.toUtf8();
    QJsonParseError parseError;
    *document = QJsonDocument::fromJson(utf8, &parseError);
    if (parseError.error == QJsonParseError::NoError)
        return true;
    *error = QObject::tr("Not JSON: %1 at %2.")
                     .arg(parseError.errorString(), position(utf8, parseError.offset));
    return false;
}

bool isArgument(const QGbParameter &parameter)
{
    return parameter.kind() == QGbParameter::PositionalOnly
            || parameter.kind() == QGbParameter::PositionalOrKeyword;
}

} // namespace

namespace LaunchArguments {

QString pythonReprToJson(const QString &repr)
{
    const QString text = repr.trimmed();
    if (text == "None"_L1)
        return u"null"_s;
    if (text == "True"_L1)
        return u"true"_s;
    if (text == "False"_L1)
        return u"false"_s;
    if (text.size() >= 2 && text.startsWith(u'\'') && text.endsWith(u'\'')) {
        const QString inner = text.mid(1, text.size() - 2);
        if (inner.contains(u'\\') || inner.contains(u'"') || inner.contains(u'\''))
            return QString();
        return u'"' + inner + u'"';
    }
    // Numbers, and lists or dicts of them, are the same in both.
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson("[" + text.toUtf8() + "]", &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        return QString();
    return text;
}

int streamParameterIndex(const QGbFunction &function)
{
    int index = 0;
    for (const QGbParameter &parameter : function.parameters()) {
        if (!isArgument(parameter))
            break;
        if (parameter.isStream())
            return index;
        ++index;
    }
    return -1;
}

QString argumentsTemplate(const QGbFunction &function)
{
    QStringList items;
    for (const QGbParameter &parameter : function.parameters()) {
        if (!isArgument(parameter))
            break;
        if (parameter.isStream())
            continue;
        const QString value =
                parameter.hasDefault() ? pythonReprToJson(parameter.defaultValue()) : QString();
        items.append(value.isEmpty() ? parameter.name() : value);
    }
    return u'[' + items.join(u", "_s) + u']';
}

QString keywordArgumentsTemplate(const QGbFunction &function)
{
    QStringList items;
    for (const QGbParameter &parameter : function.parameters()) {
        if (parameter.kind() != QGbParameter::KeywordOnly)
            continue;
        QString value = parameter.hasDefault() ? pythonReprToJson(parameter.defaultValue())
                                               : parameter.name();
        if (value.isEmpty())
            continue;
        const QByteArray key =
                QJsonDocument(QJsonArray { parameter.name() }).toJson(QJsonDocument::Compact);
        items.append(QString::fromUtf8(key.mid(1, key.size() - 2)) + u": "_s + value);
    }
    return items.isEmpty() ? QString() : u'{' + items.join(u", "_s) + u'}';
}

QString parametersHint(const QGbFunction &function)
{
    if (!function.isSignatureKnown())
        return QObject::tr("signature unknown");
    QStringList parts;
    for (const QGbParameter &parameter : function.parameters()) {
        QString part;
        switch (parameter.kind()) {
        case QGbParameter::VarPositional:
            part = u'*' + parameter.name();
            break;
        case QGbParameter::VarKeyword:
            part = u"**"_s + parameter.name();
            break;
        default:
            part = parameter.name();
        }
        if (!parameter.annotation().isEmpty())
            part += u": "_s + parameter.annotation();
        if (parameter.hasDefault())
            part += u" = "_s + parameter.defaultValue();
        if (parameter.isStream())
            part += QObject::tr(" (the input stream)");
        else if (parameter.kind() == QGbParameter::KeywordOnly)
            part += QObject::tr(" (keyword-only)");
        parts.append(part);
    }
    return parts.isEmpty() ? QObject::tr("no parameters") : parts.join(u", "_s);
}

bool parseArguments(const QString &text, QVariantList *arguments, QString *error)
{
    arguments->clear();
    QJsonDocument document;
    if (!parseDocument(text, &document, error))
        return false;
    if (document.isObject()) {
        *error = QObject::tr("The arguments are a JSON array, such as [1, \"text\"], "
                             "not an object.");
        return false;
    }
    *arguments = document.array().toVariantList();
    return true;
}

bool parseKeywordArguments(const QString &text, QVariantMap *arguments, QString *error)
{
    arguments->clear();
    QJsonDocument document;
    if (!parseDocument(text, &document, error))
        return false;
    if (document.isArray()) {
        *error = QObject::tr("The keyword arguments are a JSON object, such as "
                             "{\"sep\": \",\"}, not an array.");
        return false;
    }
    *arguments = document.object().toVariantMap();
    return true;
}

bool parseInputLines(const QString &text, QVariantList *items, QString *error)
{
    items->clear();
    const QStringList lines = text.split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (lines.at(i).trimmed().isEmpty())
            continue;
        const QByteArray utf8 = lines.at(i).toUtf8();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson("[" + utf8 + "]", &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            *error = QObject::tr("Input line %1 is not a JSON value: %2 at column %3.")
                             .arg(i + 1)
                             .arg(parseError.errorString())
                             .arg(qMax(1, parseError.offset));
            return false;
        }
        if (document.array().size() != 1) {
            *error = QObject::tr("Input line %1 holds %2 values: one JSON value per line.")
                             .arg(i + 1)
                             .arg(document.array().size());
            return false;
        }
        items->append(document.array().first().toVariant());
    }
    return true;
}

QString toJson(const QVariant &value, bool indented)
{
    if (value.typeId() == QMetaType::QByteArray) {
        const QByteArray bytes = value.toByteArray();
        QString text = QObject::tr("<%1 bytes").arg(bytes.size());
        if (!bytes.isEmpty())
            text += u": "_s + QString::fromLatin1(bytes.left(16).toHex(' '))
                    + (bytes.size() > 16 ? u" ..."_s : QString());
        return text + u'>';
    }
    const QJsonValue json = QJsonValue::fromVariant(value);
    const QJsonDocument::JsonFormat format =
            indented ? QJsonDocument::Indented : QJsonDocument::Compact;
    if (json.isObject())
        return QString::fromUtf8(QJsonDocument(json.toObject()).toJson(format)).trimmed();
    if (json.isArray())
        return QString::fromUtf8(QJsonDocument(json.toArray()).toJson(format)).trimmed();
    const QByteArray wrapped = QJsonDocument(QJsonArray { json }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

} // namespace LaunchArguments
