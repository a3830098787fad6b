// Copyright (C) 2026 The QGobridge Authors.
// SPDX-License-Identifier: MIT

// qgb_bench --remote: what reaching workers over TCP costs on loopback
// (docs/remote.md, docs/performance.md). W1 (sequential add(), p50) and W2
// (8 threads, add(), calls/s) on the library side, with a pool of 2 workers x
// 4 connections that are
//   local     started by the pool, over Unix sockets (the default transport),
//   tcp       two `python3 -m gobridge serve --insecure` on 127.0.0.1,
//   tls       two `python3 -m gobridge serve` with TLS on 127.0.0.1
//             (a certificate made with openssl for the run).
// The three run in turn in each repetition, so that the ratios to "local"
// come from one stretch of time on a shared machine; the figures are medians.

#include "benchsupport.h"
#include "poolcalls.h"
#include "workloads.h"

#include <QGbPool>

#include <QtCore/qdir.h>
#include <QtCore/qelapsedtimer.h>
#include <QtCore/qfile.h>
#include <QtCore/qprocess.h>
#include <QtCore/qregularexpression.h>
#include <QtCore/qtemporarydir.h>
#include <QtCore/qthread.h>
#include <QtNetwork/qsslcertificate.h>

#include <cstdio>
#include <memory>

namespace Bench {

namespace {

    enum class Mode { Local, Tcp, Tls };
    const char *const modeNames[] = { "local", "tcp", "tls" };

    const QByteArray Token = "qgb-bench-remote-token";

    void openssl(const QString &dir, const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(dir);
        p.start(QStringLiteral("openssl"), args);
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0)
            throw Failure(
                    QStringLiteral("openssl %1: %2")
                            .arg(args.join(QLatin1Char(' ')),
                                 QString::fromUtf8(p.readAllStandardError()) + p.errorString()));
    }

    // A CA and a certificate for 127.0.0.1, as docs/remote.md makes them.
    void makeCertificates(const QString &dir)
    {
        openssl(dir,
                { QStringLiteral("req"),
                  QStringLiteral("-x509"),
                  QStringLiteral("-newkey"),
                  QStringLiteral("ec"),
                  QStringLiteral("-pkeyopt"),
                  QStringLiteral("ec_paramgen_curve:prime256v1"),
                  QStringLiteral("-nodes"),
                  QStringLiteral("-days"),
                  QStringLiteral("2"),
                  QStringLiteral("-keyout"),
                  QStringLiteral("ca.key"),
                  QStringLiteral("-out"),
                  QStringLiteral("ca.pem"),
                  QStringLiteral("-subj"),
                  QStringLiteral("/CN=qgb_bench CA"),
                  QStringLiteral("-addext"),
                  QStringLiteral("basicConstraints=critical,CA:TRUE"),
                  QStringLiteral("-addext"),
                  QStringLiteral("keyUsage=critical,keyCertSign,cRLSign"),
                  QStringLiteral("-addext"),
                  QStringLiteral("subjectKeyIdentifier=hash") });
        QFile ext(dir + QStringLiteral("/server.ext"));
        if (!ext.open(QIODevice::WriteOnly))
            throw Failure(QStringLiteral("cannot write %1").arg(ext.fileName()));
        ext.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                  "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\n"
                  "authorityKeyIdentifier=keyid\nsubjectAltName=IP:127.0.0.1\n");
        ext.close();
        openssl(dir,
                { QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                  QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                  QStringLiteral("-nodes"), QStringLiteral("-keyout"), QStringLiteral("server.key"),
                  QStringLiteral("-out"), QStringLiteral("server.csr"), QStringLiteral("-subj"),
                  QStringLiteral("/CN=worker") });
        openssl(dir,
                { QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                  QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                  QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                  QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("2"),
                  QStringLiteral("-extfile"), QStringLiteral("server.ext"), QStringLiteral("-out"),
                  QStringLiteral("server.pem") });
    }

    // One `gobridge serve` of bench_worker.py on 127.0.0.1, a port of its choosing.
    class Served
    {
    public:
        Served(const Config &config, const QString &certs, bool tls)
        {
            QFile token(certs + QStringLiteral("/token"));
            if (!token.exists() && token.open(QIODevice::WriteOnly)) {
                token.write(Token + '\n');
                token.close();
            }
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("PYTHONPATH"), config.packageDir);
            m_process.setProcessEnvironment(env);
            QStringList args { QStringLiteral("-m"),
                               QStringLiteral("gobridge"),
                               QStringLiteral("serve"),
                               QDir(config.benchDir).filePath(QStringLiteral("bench_worker.py")),
                               QStringLiteral("--listen"),
                               QStringLiteral("127.0.0.1:0"),
                               QStringLiteral("--token-file"),
                               certs + QStringLiteral("/token") };
            if (tls)
                args << QStringLiteral("--tls-cert") << certs + QStringLiteral("/server.pem")
                     << QStringLiteral("--tls-key") << certs + QStringLiteral("/server.key");
            else
                args << QStringLiteral("--insecure");
            m_process.start(config.python, args);
            const QRegularExpression serving(
                    QStringLiteral("serving .* on 127\\.0\\.0\\.1:(\\d+) "));
            QByteArray output;
            QElapsedTimer timer;
            timer.start();
            while (timer.elapsed() < 30000) {
                m_process.waitForReadyRead(100);
                output += m_process.readAllStandardError();
                const auto match = serving.match(QString::fromUtf8(output));
                if (match.hasMatch()) {
                    m_port = match.captured(1).toUShort();
                    return;
                }
                if (m_process.state() == QProcess::NotRunning)
                    break;
            }
            throw Failure(QStringLiteral("gobridge serve did not start: %1")
                                  .arg(QString::fromUtf8(output)));
        }
        ~Served()
        {
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
            m_process.waitForFinished(5000);
        }
        quint16 port() const { return m_port; }

    private:
        QProcess m_process;
        quint16 m_port = 0;
    };

    struct Figures
    {
        double w1p50 = 0;
        double w2 = 0;
    };

    Figures measure(const Config &config, const QGbPoolOptions &options)
    {
        QGbPool pool(QDir(config.benchDir).filePath(QStringLiteral("bench_worker.py")), options);
        if (!pool.waitForStarted(30000))
            throw Failure(QStringLiteral("the pool did not start"));
        Figures figures;
        figures.w1p50 = sequentialAddP50(pool, config);
        figures.w2 = concurrentAddRate(pool, config);
        return figures;
    }

} // namespace

int runRemoteCost(const Config &config)
{
    QTemporaryDir certs;
    if (!certs.isValid())
        throw Failure(QStringLiteral("cannot make a temporary directory"));
    makeCertificates(certs.path());
    // Two served workers of each kind, started once for the whole run.
    std::vector<std::unique_ptr<Served>> tcp;
    std::vector<std::unique_ptr<Served>> tls;
    for (int i = 0; i < 2; ++i) {
        tcp.push_back(std::make_unique<Served>(config, certs.path(), false));
        tls.push_back(std::make_unique<Served>(config, certs.path(), true));
    }
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates(QSslCertificate::fromPath(certs.filePath(QStringLiteral("ca.pem"))));

    auto optionsFor = [&](Mode mode) {
        QGbPoolOptions options;
        options.setMaxConnections(4)
                .setPythonExecutable(config.python)
                .setPackageDirectory(config.packageDir)
                .setStdout(nullptr);
        if (mode == Mode::Local) {
            options.setWorkers(2);
            return options;
        }
        QList<QUrl> urls;
        for (const auto &served : mode == Mode::Tcp ? tcp : tls)
            urls.append(QUrl(QStringLiteral("%1://127.0.0.1:%2")
                                     .arg(mode == Mode::Tcp ? QStringLiteral("gobridge")
                                                            : QStringLiteral("gobridges"))
                                     .arg(served->port())));
        options.setWorkers(0).setRemoteWorkers(urls).setRemoteToken(Token).setSslConfiguration(ssl);
        return options;
    };

    const Mode modes[] = { Mode::Local, Mode::Tcp, Mode::Tls };
    QList<double> w1[3];
    QList<double> w2[3];
    for (int r = 0; r < config.repeats; ++r) {
        std::fprintf(stderr, "remote cost, repetition %d/%d:", r + 1, config.repeats);
        for (Mode mode : modes) {
            const Figures figures = measure(config, optionsFor(mode));
            w1[int(mode)].append(figures.w1p50);
            w2[int(mode)].append(figures.w2);
            std::fprintf(stderr, " %s", modeNames[int(mode)]);
        }
        std::fprintf(stderr, "\n");
    }
    std::printf("Remote workers on loopback (library side, 2 workers x 4 connections; medians "
                "of %d; ratios to \"local\" in the same run; load average after: %.2f)\n\n",
                config.repeats, loadAverage());
    std::printf("| workers | W1 p50 (us) | W1 ratio | W2 (calls/s) | W2 ratio |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    const double w1Local = median(w1[0]);
    const double w2Local = median(w2[0]);
    for (Mode mode : modes) {
        const double a = median(w1[int(mode)]);
        const double b = median(w2[int(mode)]);
        // Both ratios read "how much slower": above 1 is worse.
        std::printf("| %s | %.1f | %.3f | %.0f | %.3f |\n", modeNames[int(mode)], a, a / w1Local, b,
                    w2Local / b);
    }
    return 0;
}

} // namespace Bench
