// The QML module GoBridge: a call, a live stream and an error.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import GoBridge

ApplicationWindow {
    id: window
    width: 760
    height: 620
    visible: true
    title: qsTr("GoBridge: Python from QML")

    // True once the window shows a result, an error and streamed rows:
    // main.cpp --screenshot waits for it.
    readonly property bool showcase: sum.text.startsWith("=") && failure.text.length > 1
                                     && users.count >= 120

    GbPool {
        id: py
        script: "worker.py" // beside this file, in the resources: copied out for Python
        workers: 2
        onStateChanged: {
            if (state === GbPool.Running && sum.text === "") {
                window.add();
                window.divide();
            }
        }
        onErrorOccurred: error => poolError.text = error.message
    }

    GbStreamModel {
        id: users
        readonly property int total: 400
        pool: py
        method: "gen_users"
        arguments: [total, 0.02] // one user every 20 ms
    }

    function add() {
        sum.text = "…";
        py.call("add", [a.value, b.value]).then(value => sum.text = "= " + value,
                                                error => sum.text = error.message);
    }

    function divide() {
        failure.text = "…";
        py.call("divide", [1, 0]).then(value => failure.text = "= " + value,
                                       error => failure.text = error.remoteType + ": "
                                                               + error.message);
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 12
            anchors.rightMargin: 12
            Label {
                text: "worker.py"
                font.bold: true
            }
            Label {
                Layout.fillWidth: true
                text: ["closed", "starting", "running"][py.state] + "  ·  " + py.readyWorkers + "/"
                      + py.workers + " workers ready  ·  " + py.functions.length + " functions: "
                      + py.functions.map(f => f.name).join(", ")
                elide: Text.ElideRight
            }
            Label {
                id: poolError
                color: "#c0392b"
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 12

        GroupBox {
            title: qsTr("A call: add(a, b)")
            Layout.fillWidth: true
            RowLayout {
                anchors.fill: parent
                spacing: 8
                SpinBox {
                    id: a
                    from: -1000
                    to: 1000
                    value: 3
                    editable: true
                }
                Label { text: "+" }
                SpinBox {
                    id: b
                    from: -1000
                    to: 1000
                    value: 4
                    editable: true
                }
                Button {
                    text: qsTr("Call")
                    onClicked: window.add()
                }
                Label {
                    id: sum
                    Layout.fillWidth: true
                    font.pixelSize: 20
                    font.bold: true
                }
            }
        }

        GroupBox {
            title: qsTr("An error: divide(1, 0)")
            Layout.fillWidth: true
            RowLayout {
                anchors.fill: parent
                spacing: 8
                Button {
                    text: qsTr("Call")
                    onClicked: window.divide()
                }
                Label {
                    id: failure
                    Layout.fillWidth: true
                    color: "#c0392b"
                    font.bold: true
                    elide: Text.ElideRight
                }
            }
        }

        GroupBox {
            title: qsTr("A stream: gen_users(%1) into a ListView").arg(users.total)
            Layout.fillWidth: true
            Layout.fillHeight: true

            ColumnLayout {
                anchors.fill: parent
                spacing: 8

                RowLayout {
                    spacing: 8
                    ProgressBar {
                        Layout.fillWidth: true
                        from: 0
                        to: users.total
                        value: users.received
                    }
                    Label {
                        text: users.received + " / " + users.total
                        font.family: "monospace"
                    }
                    Button {
                        text: qsTr("Cancel")
                        enabled: users.running
                        onClicked: users.cancel()
                    }
                    Button {
                        text: qsTr("Restart")
                        onClicked: users.restart()
                    }
                }

                Label {
                    text: users.running ? qsTr("streaming…")
                                        : users.error ? qsTr("failed: ") + users.error.message
                                                      : users.received === users.total
                                                        ? qsTr("done") : qsTr("cancelled")
                    color: users.error ? "#c0392b" : palette.windowText
                }

                ListView {
                    id: list
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: users
                    // Follows the stream while it is at the end.
                    property bool following: true
                    onMovementEnded: following = atYEnd
                    onCountChanged: if (following) positionViewAtEnd()
                    ScrollBar.vertical: ScrollBar {}

                    delegate: Rectangle {
                        width: ListView.view.width
                        height: 28
                        color: index % 2 ? palette.alternateBase : palette.base
                        RowLayout {
                            anchors.fill: parent
                            anchors.leftMargin: 8
                            anchors.rightMargin: 8
                            spacing: 12
                            Label {
                                text: "#" + model.id
                                font.family: "monospace"
                                Layout.preferredWidth: 50
                            }
                            Label {
                                text: model.name
                                Layout.preferredWidth: 110
                            }
                            Label {
                                text: model.score
                                horizontalAlignment: Text.AlignRight
                                font.family: "monospace"
                                Layout.preferredWidth: 30
                            }
                            Label {
                                text: model.level
                                Layout.preferredWidth: 60
                            }
                            Item {
                                Layout.fillWidth: true
                                Layout.preferredHeight: 10
                                Rectangle {
                                    width: parent.width * model.score / 100
                                    height: parent.height
                                    radius: 3
                                    color: model.level === "gold" ? "#d4a017"
                                          : model.level === "silver" ? "#9aa5b1" : "#b0703c"
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
