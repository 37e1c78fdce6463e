#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Just enough of bitbake to run meta-berth's recipes as bitbake would.

Parses a recipe and the classes it inherits from the layer (assignments
=, ?=, ??=, +=, .=, :append, :class-native and [flag] forms; `def`
functions; shell tasks), applies overrides, expands ${VAR} and ${@python},
adds PACKAGECONFIG's dependencies to DEPENDS, and either prints a
variable or runs shell tasks (with oe_runmake) in a real shell.
Classes that are not in the layer (externalsrc, update-alternatives,
allarch, native) are bitbake's own; what they do to the variables used
here is done below.

usage: bitbake-shim.py RECIPE [--native] [--set VAR=VALUE]...
           (--get VAR | --run TASK)...
"""
import os
import re
import subprocess
import sys

ASSIGN = re.compile(r'^([A-Za-z0-9_${}.\-]+(?::[A-Za-z0-9_${}\-]+)*)(\[[a-z0-9_-]+\])?\s*(\?\?=|\?=|\+=|\.=|:=|=)\s*"(.*)"\s*$', re.S)
SHELLFN = re.compile(r'^([a-z_][a-z0-9_]*(?::[A-Za-z0-9_${}\-]+)*)\(\)\s*\{\s*$')


class Data:
    def __init__(self, native):
        self.vars, self.flags, self.weak, self.defaults = {}, {}, {}, {}
        self.appends, self.prepends, self.overridden = {}, {}, {}
        self.shell, self.ns = {}, {}
        self.native = native

    def getVar(self, name, expand=True):
        v = self.resolve(name)
        return self.expand(v) if expand and v is not None else v

    def setVar(self, name, value):
        self.vars[name] = value

    def resolve(self, name):
        if self.native and name + ':class-native' in self.overridden:
            v = self.overridden[name + ':class-native']
        elif name in self.vars:
            v = self.vars[name]
        elif name in self.overridden:	# asked for by its full name, VAR:pkg
            v = self.overridden[name]
        elif name in self.defaults:
            v = self.defaults[name]
        elif name in self.weak:
            v = self.weak[name]
        else:
            v = None
        for a in self.appends.get(name, []):
            v = (v or '') + a
        for p in self.prepends.get(name, []):
            v = p + (v or '')
        return v

    def expand(self, s, depth=0):
        if depth > 20:
            raise RuntimeError('expansion loop in ' + s)
        def py(m):
            return str(eval(m.group(1), self.ns, {'d': self}))
        def var(m):
            v = self.getVar(m.group(1), False)
            return m.group(0) if v is None else self.expand(v, depth + 1)
        while True:
            n = re.sub(r'\$\{([A-Za-z0-9_:\-]+)\}', var, s)
            n = re.sub(r'\$\{@(.+?)\}(?![^{]*\})', py, n)
            if n == s:
                return n
            s = n


class Utils:
    @staticmethod
    def contains(var, item, yes, no, d):
        return yes if set(item.split()) <= set((d.getVar(var) or '').split()) else no

    @staticmethod
    def filter(var, words, d):
        have = (d.getVar(var) or '').split()
        return ' '.join(w for w in words.split() if w in have)


class BB:
    utils = Utils


def parse(path, d, layer):
    lines = open(path).read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        while line.endswith('\\'):
            line = line[:-1] + ' ' + lines[i].strip()
            i += 1
        if line.startswith('inherit '):
            for c in line.split()[1:]:
                f = os.path.join(layer, 'classes', d.expand(c) + '.bbclass')
                if os.path.exists(f):
                    parse(f, d, layer)
            continue
        if line.startswith('def '):
            body = [line]
            while i < len(lines) and (lines[i].startswith((' ', '\t')) or not lines[i].strip()):
                body.append(lines[i])
                i += 1
            exec('\n'.join(body), d.ns)
            continue
        m = SHELLFN.match(line)
        if m:
            body = []
            while lines[i] != '}':
                body.append(lines[i])
                i += 1
            i += 1
            name = d.expand(m.group(1))
            base, _, ov = name.partition(':')
            if ov == 'append':
                d.shell.setdefault(base, []).append(('append', '\n'.join(body)))
            elif ov:
                d.shell.setdefault(base, []).append((ov, '\n'.join(body)))
            else:
                d.shell.setdefault(base, []).append(('', '\n'.join(body)))
            continue
        m = ASSIGN.match(line)
        if not m:
            raise SystemExit('%s: cannot parse: %s' % (path, line))
        name, flag, op, value = m.group(1), m.group(2), m.group(3), m.group(4)
        name = re.sub(r'\$\{PN\}', d.vars.get('PN', ''), name)
        if flag:
            d.flags[(name, flag[1:-1])] = value
            continue
        base, _, ov = name.partition(':')
        if op == ':=':
            value = d.expand(value)
        if ov == 'append':
            d.appends.setdefault(base, []).append(value)
        elif ov == 'prepend':
            d.prepends.setdefault(base, []).append(value)
        elif ov:
            d.overridden[name] = value
        elif op in ('=', ':='):
            d.vars[name] = value
        elif op == '?=':
            if name not in d.vars:
                d.defaults[name] = value
        elif op == '??=':
            d.weak[name] = value
        elif op == '+=':
            d.vars[name] = (d.resolve(name) or '') + ' ' + value
        elif op == '.=':
            d.vars[name] = (d.resolve(name) or '') + value


def shell_body(d, task):
    """The task's body after overrides: :class-native (when native) or
    :${PN} replaces the plain one, :append bodies follow it."""
    parts = d.shell.get(task, [])
    chosen = [t for ov, t in parts if ov in ('', d.vars['PN'])]
    if d.native:
        chosen += [t for ov, t in parts if ov == 'class-native']
    if not chosen:
        raise SystemExit('no task ' + task)
    body = '\n'.join([chosen[-1]] + [t for ov, t in parts if ov == 'append'])
    return d.expand(body)


def unpack(d, recipe):
    """do_unpack of file:// entries: found in FILESEXTRAPATHS, then beside
    the recipe (files/, ${PN}/), copied into UNPACKDIR (else WORKDIR)."""
    dest = d.getVar('UNPACKDIR') or d.getVar('WORKDIR')
    where = [p for p in (d.getVar('FILESEXTRAPATHS') or '').split(':') if p]
    here = os.path.dirname(recipe)
    where += [os.path.join(here, 'files'), os.path.join(here, d.getVar('PN'))]
    os.makedirs(dest, exist_ok=True)
    for uri in (d.getVar('SRC_URI') or '').split():
        if not uri.startswith('file://'):
            continue
        name = uri[7:].split(';')[0]
        found = [os.path.join(p, name) for p in where if os.path.exists(os.path.join(p, name))]
        if not found:
            print('bitbake-shim: do_unpack: %s not found in %s' % (name, ':'.join(where)), file=sys.stderr)
            sys.exit(1)
        subprocess.run(['cp', '-a', found[0], os.path.join(dest, os.path.basename(name))], check=True)


def main():
    args = sys.argv[1:]
    recipe = os.path.abspath(args.pop(0))
    native = '--native' in args
    args = [a for a in args if a != '--native']
    layer = os.path.dirname(os.path.dirname(os.path.dirname(recipe)))
    d = Data(native)
    d.ns['bb'] = BB
    pn = os.path.basename(recipe).split('_')[0].replace('.bb', '')
    d.vars['PN'] = pn + ('-native' if native else '')
    d.vars['BERTH_SRCDIR'] = os.path.dirname(layer)
    # bitbake.conf's directories.
    for k, v in (('prefix', '/usr'), ('bindir', '${prefix}/bin'), ('sbindir', '${prefix}/sbin'),
                 ('base_sbindir', '/sbin'), ('sysconfdir', '/etc'), ('datadir', '${prefix}/share'),
                 ('mandir', '${datadir}/man'), ('localstatedir', '/var')):
        d.vars[k] = v
    sets = []
    while '--set' in args:
        k = args.index('--set')
        sets.append(args[k + 1])
        del args[k:k + 2]
    parse(recipe, d, layer)
    for s in sets:
        k, v = s.split('=', 1)
        d.vars[k] = v
        d.overridden.pop(k + ':class-native', None)
    # externalsrc: S is the external tree.
    if d.getVar('EXTERNALSRC'):
        d.vars['S'] = d.vars['EXTERNALSRC']
    # PACKAGECONFIG's third field adds to DEPENDS (target only).
    if not native:
        for opt in (d.getVar('PACKAGECONFIG') or '').split():
            f = (d.flags.get(('PACKAGECONFIG', opt), '') + ',,,').split(',')
            if f[2].strip():
                d.appends.setdefault('DEPENDS', []).append(' ' + f[2].strip())
    while args:
        what, arg = args.pop(0), args.pop(0)
        if what == '--get':
            m = re.match(r'^(.*)\[(.*)\]$', arg)
            print(d.expand(d.flags.get((m.group(1), m.group(2)), '')) if m else d.getVar(arg) or '')
        elif what == '--run' and arg == 'do_unpack':
            unpack(d, recipe)
        elif what == '--run':
            body = shell_body(d, arg)
            script = 'set -e\noe_runmake() { make %s "$@"; }\nbbfatal() { echo "ERROR: $*" >&2; exit 1; }\ncd "%s"\n%s\n' % (
                d.getVar('EXTRA_OEMAKE') or '', d.getVar('B') or '.', body)
            env = dict(os.environ)
            for v in ('CC', 'CFLAGS', 'LDFLAGS', 'D'):
                if d.getVar(v) is not None:
                    env[v] = d.getVar(v)
            os.makedirs(d.getVar('B') or '.', exist_ok=True)
            # base.bbclass: do_install[cleandirs] = "${D}". Made, not
            # emptied: what a test put there stands for what the
            # recipe's own do_install would have installed.
            if arg == 'do_install' and d.getVar('D'):
                os.makedirs(d.getVar('D'), exist_ok=True)
            r = subprocess.run(['sh', '-c', script], env=env)
            if r.returncode:
                print('bitbake-shim: %s failed (%d)' % (arg, r.returncode), file=sys.stderr)
                sys.exit(1)


if __name__ == '__main__':
    main()
