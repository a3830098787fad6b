// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

#ifndef QGBTESTCERTS_H
#define QGBTESTCERTS_H

#include <QtCore/qfile.h>
#include <QtCore/qprocess.h>
#include <QtCore/qrandom.h>
#include <QtCore/qstring.h>
#include <QtCore/qstringlist.h>

// Certificates for the TLS tests, made in dir by the openssl command (valid
// for two days): a CA (ca.pem, ca.key), a server certificate it signed for
// 127.0.0.1 and localhost (server.pem, server.key) and a client certificate
// (client.pem, client.key), all EC P-256 keys. False with *why set if openssl
// failed.
inline bool makeTestCertificates(const QString &dir, QString *why)
{
    auto openssl = [&](const QStringList &args) {
        QProcess p;
        p.setWorkingDirectory(dir);
        p.start(QStringLiteral("openssl"), args);
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0) {
            *why = QStringLiteral("openssl %1: %2")
                           .arg(args.join(QLatin1Char(' ')),
                                QString::fromUtf8(p.readAllStandardError()) + p.errorString());
            return false;
        }
        return true;
    };
    auto makeCa = [&](const QString &name) {
        return openssl({ u"req"_qs,
                         u"-x509"_qs,
                         u"-newkey"_qs,
                         u"ec"_qs,
                         u"-pkeyopt"_qs,
                         u"ec_paramgen_curve:prime256v1"_qs,
                         u"-nodes"_qs,
                         u"-days"_qs,
                         u"2"_qs,
                         u"-keyout"_qs,
                         name + u".key"_qs,
                         u"-out"_qs,
                         name + u".pem"_qs,
                         u"-subj"_qs,
                         u"/CN=gobridge test "_qs + name,
                         u"-addext"_qs,
                         u"basicConstraints=critical,CA:TRUE"_qs,
                         u"-addext"_qs,
                         u"keyUsage=critical,keyCertSign,cRLSign"_qs,
                         u"-addext"_qs,
                         u"subjectKeyIdentifier=hash"_qs });
    };
    auto makeCert = [&](const QString &name, const QString &ext) {
        QFile file(dir + u"/"_qs + name + u".ext"_qs);
        if (!file.open(QIODevice::WriteOnly))
            return false;
        file.write("basicConstraints=CA:FALSE\n"
                   "keyUsage=critical,digitalSignature\n"
                   "subjectKeyIdentifier=hash\n"
                   "authorityKeyIdentifier=keyid\n"
                   + ext.toUtf8() + "\n");
        file.close();
        return openssl({ u"req"_qs, u"-newkey"_qs, u"ec"_qs, u"-pkeyopt"_qs,
                         u"ec_paramgen_curve:prime256v1"_qs, u"-nodes"_qs, u"-keyout"_qs,
                         name + u".key"_qs, u"-out"_qs, name + u".csr"_qs, u"-subj"_qs,
                         u"/CN="_qs + name })
                && openssl({ u"x509"_qs, u"-req"_qs, u"-in"_qs, name + u".csr"_qs, u"-CA"_qs,
                             u"ca.pem"_qs, u"-CAkey"_qs, u"ca.key"_qs, u"-set_serial"_qs,
                             QString::number(QRandomGenerator::global()->bounded(1, 1 << 30)),
                             u"-days"_qs, u"2"_qs, u"-out"_qs, name + u".pem"_qs, u"-extfile"_qs,
                             name + u".ext"_qs });
    };
    return makeCa(u"ca"_qs)
            && makeCert(u"server"_qs,
                        u"subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                        "extendedKeyUsage=serverAuth"_qs)
            && makeCert(u"client"_qs, u"extendedKeyUsage=clientAuth"_qs);
}

#endif // QGBTESTCERTS_H
