// mailauth.js - one of verify-dkim's judges: the npm package mailauth (its
// own DKIM code on top of Node's crypto; RSA and Ed25519).  Run by /usr/bin/node.
//
//   node mailauth.js (--records FILE | --server ADDR[#PORT]) MESSAGE...
//
// mailauth is loaded from $SIGNPOST_NODE_MODULES (default
// /var/cache/signpost-tests/node_modules; scripts/install-node-verifier
// installs the version pinned in package.json/package-lock.json there).
// Prints "M S pass|fail REASON" for signature S (the S-th DKIM-Signature field
// from the top, from 0) of message M (from 0, in argument order).
// Keys come only from the records file (lines "NAME VALUE") or from the named
// DNS server, asked directly through a private resolver: never the system's.
//
// Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const dns = require('node:dns');

const modules = process.env.SIGNPOST_NODE_MODULES || '/var/cache/signpost-tests/node_modules';
const { dkimVerify } = require(path.join(modules, 'mailauth', 'lib', 'dkim', 'verify'));

function usage() {
    process.stderr.write('usage: mailauth.js (--records FILE | --server ADDR[#PORT]) MESSAGE...\n');
    process.exit(2);
}

function dnsError(code, name) {
    const err = new Error(`${code} ${name}`);
    err.code = code;
    return err;
}

// resolver(name, 'TXT') answers as dns.promises.resolveTxt does: string[][].
function recordsResolver(file) {
    const table = new Map();
    for (let line of fs.readFileSync(file, 'latin1').split(/\r?\n/)) {
        line = line.trim();
        if (!line || line.startsWith('#')) continue;
        const m = /^(\S+)\s*(.*)$/.exec(line);
        const name = m[1].replace(/\.$/, '').toLowerCase();
        if (!table.has(name)) table.set(name, []);
        table.get(name).push([m[2]]);
    }
    return async (name, type) => {
        const rrs = table.get(name.replace(/\.$/, '').toLowerCase());
        if (!rrs) throw dnsError('ENOTFOUND', name);
        if (type !== 'TXT') throw dnsError('ENODATA', name);
        return rrs;
    };
}

function serverResolver(spec) {
    const [addr, port] = spec.split('#');
    const host = addr.includes(':') ? `[${addr}]` : addr;
    const resolver = new dns.promises.Resolver({ timeout: 5000, tries: 2 });
    resolver.setServers([`${host}:${port || 53}`]);
    return async (name, type) => {
        if (type !== 'TXT') throw dnsError('ENODATA', name);
        return resolver.resolveTxt(name);
    };
}

// The b= value of every DKIM-Signature field, top first.
function fieldSignatures(message) {
    let end = message.indexOf('\r\n\r\n');
    const head = end >= 0 ? message.subarray(0, end + 2) : message;
    const fields = [];
    for (const line of head.toString('latin1').split('\r\n')) {
        if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += '\r\n' + line;
        else if (line) fields.push(line);
    }
    const bs = [];
    for (const field of fields) {
        const colon = field.indexOf(':');
        const name = (colon >= 0 ? field.slice(0, colon) : field).replace(/[ \t]+$/, '');
        if (name.toLowerCase() !== 'dkim-signature') continue;
        const m = /;\s*b\s*=([^;]*)/.exec(';' + field.slice(colon + 1));
        bs.push(m ? m[1].replace(/\s+/g, '') : '');
    }
    return bs;
}

async function judge(m, file, resolver) {
    const message = fs.readFileSync(file);
    const bs = fieldSignatures(message);
    const result = await dkimVerify(message, { resolver, minBitLength: 1024 });
    const verdict = new Map();
    for (const r of result.results) {
        if (!r.signature) continue;
        const b = r.signature.replace(/\s+/g, '');
        const idx = bs.findIndex((x, i) => x === b && !verdict.has(i));
        if (idx < 0) continue;
        const st = r.status || {};
        if (st.result === 'pass') {
            verdict.set(idx, 'pass');
        } else {
            const why = [st.result, st.comment, st.policy && JSON.stringify(st.policy)].filter(Boolean).join(': ');
            verdict.set(idx, `fail ${why}`);
        }
    }
    let out = '';
    bs.forEach((_, i) => {
        const v = verdict.get(i) || 'fail mailauth did not evaluate this signature (unsupported or malformed tags)';
        out += `${m} ${i} ${v.replace(/\s+/g, ' ')}\n`;
    });
    process.stdout.write(out);
}

async function main(argv) {
    if (argv.length < 3 || !['--records', '--server'].includes(argv[0])) usage();
    const resolver = argv[0] === '--records' ? recordsResolver(argv[1]) : serverResolver(argv[1]);
    const files = argv.slice(2);
    for (let m = 0; m < files.length; m++) {
        await judge(m, files[m], resolver);
    }
}

main(process.argv.slice(2)).catch(err => {
    process.stderr.write(`mailauth.js: ${err.stack || err}\n`);
    process.exit(1);
});
