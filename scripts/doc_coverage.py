#!/usr/bin/env python3
"""Fails if a public declaration of the installed headers has no qdoc documentation.

    doc_coverage.py --build-dir BUILD --index QDOC_INDEX HEADER_DIR

qdoc 6.4 says nothing about a public class member that has no /*! */ comment:
it leaves the member out of the pages. This script parses the installed
headers (HEADER_DIR/qgb*.h, without the _p.h ones) with the libclang that qdoc
itself links, lists every public class, struct, namespace, function (signals
and slots included), enum, typedef, variable and Q_PROPERTY declared in them,
and looks each one up in qdoc's index file (written by scripts/docs.sh), where
every documented node is listed with the file and line of its declaration.

Not checked: the QGb::Private and QGbPrivate namespaces (detail, not API),
what Q_OBJECT, Q_GADGET and the other Qt macros declare (Q_DISABLE_COPY_MOVE
included), private members, and macros (the version macros are documented by hand).
"""

import argparse
import ctypes
import ctypes.util
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

DETAIL_NAMESPACES = {"QGbPrivate", "QGb::Private"}
# Members that Qt's macros (Q_OBJECT, Q_GADGET, Q_DECLARE_PRIVATE ...) declare.
QT_MACRO_MEMBERS = {
    "staticMetaObject", "metaObject", "qt_metacast", "qt_metacall", "qt_static_metacall",
    "tr", "trUtf8", "QPrivateSignal", "qt_check_for_QGADGET_macro", "QtGadgetHelper",
    "d_func", "q_func",
}

# libclang's C API, the few calls used here.
class CXCursor(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("xdata", ctypes.c_int), ("data", ctypes.c_void_p * 3)]


class CXString(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("flags", ctypes.c_uint)]


class CXSourceLocation(ctypes.Structure):
    _fields_ = [("ptr_data", ctypes.c_void_p * 2), ("int_data", ctypes.c_uint)]


# CXCursorKind values (clang-c/Index.h)
STRUCT, CLASS, ENUM, FIELD, ENUM_CONSTANT, FUNCTION, VAR = 2, 4, 5, 6, 7, 8, 9
TYPEDEF, METHOD, NAMESPACE, CONSTRUCTOR, DESTRUCTOR, CONVERSION = 20, 21, 22, 24, 25, 26
FUNCTION_TEMPLATE, CLASS_TEMPLATE, TYPE_ALIAS, FRIEND = 30, 31, 36, 603
KIND_NAMES = {
    STRUCT: "struct", CLASS: "class", ENUM: "enum", FIELD: "member variable",
    FUNCTION: "function", VAR: "variable", TYPEDEF: "typedef", METHOD: "function",
    NAMESPACE: "namespace", CONSTRUCTOR: "constructor", DESTRUCTOR: "destructor",
    CONVERSION: "conversion operator", FUNCTION_TEMPLATE: "function template",
    CLASS_TEMPLATE: "class template", TYPE_ALIAS: "type alias",
}
RECORDS = {STRUCT, CLASS, CLASS_TEMPLATE}
FUNCTIONS = {FUNCTION, METHOD, CONSTRUCTOR, DESTRUCTOR, CONVERSION, FUNCTION_TEMPLATE}
PUBLIC = 1  # CX_CXXPublic


def load_libclang(qdoc):
    """The libclang that qdoc links, so that both parse alike."""
    candidates = []
    if qdoc:
        ldd = subprocess.run(["ldd", qdoc], capture_output=True, text=True).stdout
        candidates += re.findall(r"(/\S*libclang\S*\.so\S*)", ldd)
    found = ctypes.util.find_library("clang")
    if found:
        candidates.append(found)
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError:
            continue
    else:
        sys.exit("doc_coverage.py: cannot load libclang (it comes with qdoc)")

    def fn(name, restype, *argtypes):
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, list(argtypes)
        return f

    api = argparse.Namespace()
    api.createIndex = fn("clang_createIndex", ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
    api.parse = fn("clang_parseTranslationUnit", ctypes.c_void_p, ctypes.c_void_p,
                   ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                   ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint)
    api.tuCursor = fn("clang_getTranslationUnitCursor", CXCursor, ctypes.c_void_p)
    api.numDiagnostics = fn("clang_getNumDiagnostics", ctypes.c_uint, ctypes.c_void_p)
    api.getDiagnostic = fn("clang_getDiagnostic", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint)
    api.diagSeverity = fn("clang_getDiagnosticSeverity", ctypes.c_int, ctypes.c_void_p)
    api.formatDiag = fn("clang_formatDiagnostic", CXString, ctypes.c_void_p, ctypes.c_uint)
    api.visitor = ctypes.CFUNCTYPE(ctypes.c_int, CXCursor, CXCursor, ctypes.c_void_p)
    api.visitChildren = fn("clang_visitChildren", ctypes.c_uint, CXCursor, api.visitor,
                           ctypes.c_void_p)
    api.spelling = fn("clang_getCursorSpelling", CXString, CXCursor)
    api.cstr = fn("clang_getCString", ctypes.c_char_p, CXString)
    api.dispose = fn("clang_disposeString", None, CXString)
    api.location = fn("clang_getCursorLocation", CXSourceLocation, CXCursor)
    api.expansion = fn("clang_getExpansionLocation", None, CXSourceLocation,
                       ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_uint),
                       ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint))
    api.fileName = fn("clang_getFileName", CXString, ctypes.c_void_p)
    api.access = fn("clang_getCXXAccessSpecifier", ctypes.c_int, CXCursor)
    api.isDefinition = fn("clang_isCursorDefinition", ctypes.c_uint, CXCursor)
    return api


def text(api, cxstring):
    value = api.cstr(cxstring)
    api.dispose(cxstring)
    return value.decode() if value else ""


def where(api, cursor):
    """(file, line, column) of cursor; a macro's expansion for what a macro declares."""
    f, line, col, off = ctypes.c_void_p(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    api.expansion(api.location(cursor), ctypes.byref(f), ctypes.byref(line), ctypes.byref(col),
                  ctypes.byref(off))
    name = text(api, api.fileName(f)) if f.value else ""
    return (os.path.realpath(name) if name else ""), line.value, col.value


def system_includes():
    """The C++ compiler's include directories, as qdoc passes them to clang."""
    out = subprocess.run(["c++", "-E", "-x", "c++", "-", "-v"], input="", capture_output=True,
                         text=True).stderr
    paths, inside = [], False
    for line in out.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            inside = False
        elif inside:
            paths.append(line.strip())
    return paths


def declarations(api, headers, include_dirs):
    """(kind, qualified name, file, line) of every public declaration in headers."""
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as tu:
        for header in headers:
            tu.write(f'#include "{header}"\n')
    args = ["-x", "c++", "-std=c++17", "-fPIC"] + [f"-I{d}" for d in include_dirs]
    args += [f"-isystem{d}" for d in system_includes()]
    argv = (ctypes.c_char_p * len(args))(*[a.encode() for a in args])
    index = api.createIndex(0, 0)
    unit = api.parse(index, tu.name.encode(), argv, len(args), None, 0, 0)
    os.unlink(tu.name)
    if not unit:
        sys.exit("doc_coverage.py: libclang could not parse the headers")
    errors = []
    for i in range(api.numDiagnostics(unit)):
        diag = api.getDiagnostic(unit, i)
        if api.diagSeverity(diag) >= 3:  # error, fatal
            errors.append(text(api, api.formatDiag(diag, 0)))
    if errors:
        sys.exit("doc_coverage.py: the headers do not parse:\n  " + "\n  ".join(errors[:20]))

    sources = {os.path.realpath(h): open(h, encoding="utf-8").read().split("\n") for h in headers}
    found = []

    def written_here(name, file, line, column):
        # A declaration's location is its name in the header. What a macro
        # (Q_ENUM, Q_DECLARE_SHARED ...) declares is located at the macro instead.
        return bool(name) and sources[file][line - 1][column - 1:].startswith(name)

    def visit(parent, scope, in_record):
        def callback(cursor, _parent, _data):
            kind = cursor.kind
            name = text(api, api.spelling(cursor))
            file, line, column = where(api, cursor)
            if file not in sources:
                return 1  # CXChildVisit_Continue: declared in another header
            if kind == FRIEND:  # a hidden friend: a related non-member of the class
                visit(cursor, scope.rpartition("::")[0], False)
                return 1
            qualified = f"{scope}::{name}" if scope else name
            if in_record and api.access(cursor) != PUBLIC:
                return 1
            if name in QT_MACRO_MEMBERS or not written_here(name, file, line, column):
                return 1
            if kind == NAMESPACE:
                if qualified in DETAIL_NAMESPACES:
                    return 1
                found.append(("namespace", qualified, file, line))
                visit(cursor, qualified, False)
            elif kind in RECORDS:
                if not api.isDefinition(cursor):
                    return 1  # a forward declaration
                found.append((KIND_NAMES[kind], qualified, file, line))
                visit(cursor, qualified, True)
            elif kind in FUNCTIONS:
                found.append((KIND_NAMES[kind], qualified, file, line))
            elif kind in (ENUM, TYPEDEF, TYPE_ALIAS, VAR) or (kind == FIELD and in_record):
                found.append((KIND_NAMES[kind], qualified, file, line))
            return 1

        api.visitChildren(parent, api.visitor(callback), None)

    visit(api.tuCursor(unit), "", False)
    return found


def properties(headers):
    """(class, property, file, line) of every Q_PROPERTY in headers."""
    found = []
    for header in headers:
        klass = None
        for number, line in enumerate(open(header, encoding="utf-8"), 1):
            m = re.match(r"\s*(?:class|struct)\s+(?:\w+\s+)?(Q\w+)\s*(?::|$)", line)
            if m:
                klass = m.group(1)
            m = re.search(r"Q_PROPERTY\(\s*[\w:<>, *&]+?[\s*&]+(\w+)\s+(?:READ|MEMBER)", line)
            if m and klass:
                found.append(("property", f"{klass}::{m.group(1)}", os.path.realpath(header), number))
    return found


def documented(index_file):
    """{(file, line)} and {(kind, qualified name)} of the nodes qdoc documented."""
    at, names = set(), set()
    for node in ET.parse(index_file).iter():
        if node.get("documented") != "true":
            continue
        if node.get("filepath") and node.get("lineno"):
            at.add((os.path.realpath(node.get("filepath")), int(node.get("lineno"))))
        names.add((node.tag, node.get("fullname") or node.get("name")))
    return at, names


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--index", required=True, help="qdoc's .index file")
    parser.add_argument("--qdoc", default="/usr/lib/qt6/bin/qdoc",
                        help="qdoc, whose libclang this script loads")
    parser.add_argument("--qt-headers", help="Qt's include directory (default: qtpaths6's)")
    parser.add_argument("header_dir")
    args = parser.parse_args()

    args.header_dir = os.path.realpath(args.header_dir)
    headers = sorted(os.path.join(args.header_dir, f) for f in os.listdir(args.header_dir)
                     if re.fullmatch(r"qgb\w*\.h", f) and not f.endswith("_p.h"))
    qt_headers = args.qt_headers or subprocess.run(
            ["qtpaths6", "--query", "QT_INSTALL_HEADERS"], capture_output=True, text=True,
            check=True).stdout.strip()
    include_dirs = [args.header_dir, os.path.join(args.build_dir, "include", "QGobridge"),
                    qt_headers, os.path.join(qt_headers, "QtCore")]

    api = load_libclang(args.qdoc)
    decls = declarations(api, headers, include_dirs) + properties(headers)
    at, names = documented(args.index)

    def is_documented(kind, name, file, line):
        # Properties, and namespaces (declared in several headers), by name;
        # everything else by where it is declared.
        if kind in ("namespace", "property"):
            return (kind, name) in names
        return (file, line) in at

    missing = [d for d in decls if not is_documented(*d)]
    for kind, name, file, line in missing:
        print(f"{os.path.relpath(file)}:{line}: no documentation for {kind} {name}", file=sys.stderr)
    if missing:
        print(f"doc_coverage.py: {len(missing)} of {len(decls)} public declarations are not "
              "documented (write a /*! */ comment in the .cpp file)", file=sys.stderr)
        return 1
    print(f"doc_coverage.py: all {len(decls)} public declarations are documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
