/*
 * Python looks for a module in the folder a `python -m` command runs in before anywhere else
 * (and pytest puts a project's root on the path early), so a file named like a module the test
 * runner imports, added there, is what runs instead. These are the names such a file would take.
 */

/**
 * The standard library's modules, from CPython 3.11's `sys.stdlib_module_names` without the
 * built-in ones (found before any folder) and the private ones.
 */
const STANDARD_LIBRARY = `
abc aifc antigravity argparse array ast asynchat asyncio asyncore audioop base64 bdb binascii
bisect bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys
compileall concurrent configparser contextlib contextvars copy copyreg crypt csv ctypes curses
dataclasses datetime dbm decimal difflib dis distutils doctest email encodings ensurepip enum
fcntl filecmp fileinput fnmatch fractions ftplib functools genericpath getopt getpass gettext
glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect
io ipaddress json keyword lib2to3 linecache locale logging lzma mailbox mailcap math mimetypes
mmap modulefinder msilib msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers
opcode operator optparse os ossaudiodev pathlib pdb pickle pickletools pipes pkgutil platform
plistlib poplib posixpath pprint profile pstats pty py_compile pyclbr pydoc pydoc_data pyexpat
queue quopri random re readline reprlib resource rlcompleter runpy sched secrets select
selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket socketserver spwd sqlite3
sre_compile sre_constants sre_parse ssl stat statistics string stringprep struct subprocess
sunau symtable sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this
threading timeit tkinter token tokenize tomllib trace traceback tracemalloc tty turtle
turtledemo types typing unicodedata unittest urllib uu uuid venv warnings wave weakref
webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo
`;

/** What pytest imports besides the standard library (its dependencies, and its own package). */
const PYTEST_MODULES = ['pytest', '_pytest', 'py', 'pluggy', 'iniconfig', 'packaging', 'exceptiongroup', 'tomli', 'colorama', 'pygments'];

/** The modules a check running `program` (`pytest`, or the module of `python -m`) imports on the way to the tests. */
export function modulesImportedBy(program: string): string[] {
  const own = program === 'pytest' || program === 'py.test' ? PYTEST_MODULES : [program];
  return [...new Set([...own, ...STANDARD_LIBRARY.trim().split(/\s+/)])];
}

/** The files Python would import a module named `name` from, in a folder: source, bytecode, an extension, a package. */
export function moduleFiles(name: string): string[] {
  return ['.py', '.pyc', '.so', '.*.so'].flatMap((suffix) => [`${name}${suffix}`, `${name}/__init__${suffix}`]);
}
