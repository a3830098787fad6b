// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef LAUNCHARGUMENTS_H
#define LAUNCHARGUMENTS_H

#include <QGbFunction>

#include <QtCore/qstring.h>
#include <QtCore/qvariant.h>

// The Launch panel's text <-> values: the arguments a user types (a JSON
// array, and the keyword arguments: a JSON object), the input stream's lines
// (one JSON value each), and the values a call returns, shown as JSON.
namespace LaunchArguments {

// What the arguments editor starts from for function: a JSON array of its
// positional parameters, each its default when it has one JSON can write,
// else its name (which is not JSON: the user replaces it). A client
// stream's stream parameter is left out: the input lines feed it.
QString argumentsTemplate(const QGbFunction &function);

// What the keyword arguments editor starts from for function: a JSON object
// of its keyword-only parameters, those without a default by their name (not
// JSON: the user replaces it), those with a default JSON can write with it
// (one JSON cannot write is left out: it is optional). Empty when the
// function has no keyword-only parameter.
QString keywordArgumentsTemplate(const QGbFunction &function);

// The parameters as a one-line hint ("name: str, punctuation: str = '!'"),
// keyword-only ones marked as such (they go in the keyword arguments).
QString parametersHint(const QGbFunction &function);

// The index among the arguments where function takes its input stream, or -1.
int streamParameterIndex(const QGbFunction &function);

// Parses the arguments editor's text: a JSON array (empty text: no
// arguments). False and *error (one sentence, with the line and column)
// when it is not one.
bool parseArguments(const QString &text, QVariantList *arguments, QString *error);

// Parses the keyword arguments editor's text: a JSON object (empty text:
// none). False and *error (one sentence, with the line and column) when it
// is not one.
bool parseKeywordArguments(const QString &text, QVariantMap *arguments, QString *error);

// Parses the input editor's text: one JSON value per line, empty lines
// skipped. False and *error naming the first bad line.
bool parseInputLines(const QString &text, QVariantList *items, QString *error);

// A wire value as JSON text: compact on one line, or indented (maps and
// lists) for a result. Bytes show as their size and first bytes in hex.
QString toJson(const QVariant &value, bool indented = false);

// Python's repr() of a default value as JSON ("None" -> "null", "'a'" ->
// "\"a\""), or an empty string when JSON cannot say it.
QString pythonReprToJson(const QString &repr);

} // namespace LaunchArguments

#endif // LAUNCHARGUMENTS_H
