// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// The versions come from one place (python/gobridge/_version.py): the C++
// header generated from it, the Python package and the protocol document
// must agree.

#include "qgbtesthelpers.h"

#include <QtCore/qfile.h>
#include <QtCore/qregularexpression.h>
#include <QtTest/qtest.h>

using namespace Qt::StringLiterals;

class tst_QGbVersion : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void libraryAndPackage();
    void protocol();
    void versionNumber();

private:
    QString m_packageVersion;
    int m_packageProtocol = -1;
};

void tst_QGbVersion::initTestCase()
{
    QString error;
    const QByteArray output = runPython(u"import gobridge, gobridge._wire as w; "
                                        "print(gobridge.__version__); print(w.PROTOCOL_VERSION)"_s,
                                        &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QStringList lines = QString::fromUtf8(output).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    m_packageVersion = lines.at(0).trimmed();
    bool ok = false;
    m_packageProtocol = lines.at(1).trimmed().toInt(&ok);
    QVERIFY(ok);
}

void tst_QGbVersion::libraryAndPackage()
{
    QCOMPARE(QStringLiteral(QGOBRIDGE_VERSION_STR), m_packageVersion);
}

void tst_QGbVersion::protocol()
{
    QCOMPARE(QGOBRIDGE_PROTOCOL_VERSION, m_packageProtocol);
    QFile doc(QStringLiteral(QGB_SOURCE_DIR "/docs/protocol.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString title = QString::fromUtf8(doc.readLine());
    const QRegularExpressionMatch match =
            QRegularExpression(u"^# QGobridge wire protocol, version (\\d+)"_s).match(title);
    QVERIFY2(match.hasMatch(), qPrintable(title));
    QCOMPARE(match.captured(1).toInt(), QGOBRIDGE_PROTOCOL_VERSION);
}

void tst_QGbVersion::versionNumber()
{
    const QStringList parts = QStringLiteral(QGOBRIDGE_VERSION_STR).split(u'.');
    QCOMPARE(parts.size(), 3);
    QCOMPARE(QGOBRIDGE_VERSION,
             (parts.at(0).toInt() << 16) | (parts.at(1).toInt() << 8) | parts.at(2).toInt());
}

QTEST_MAIN(tst_QGbVersion)

#include "tst_qgbversion.moc"
