import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, ExecError } from './index.js';
import { formatFloatV } from './values.js';

// 2025-11-20T00:00:00.123456789Z
const TS = 1763596800123456789n;

function render(src: string, data: Record<string, string> = {}, line = 'the line'): string {
  return compileTemplate('line', src).render(data, line, TS);
}

describe('Go text/template', () => {
  it('fields, missing keys, pipelines', () => {
    assert.equal(render('L={{.level}}', { level: 'error' }), 'L=error');
    assert.equal(render('V={{.missing}}'), 'V=');
    assert.equal(render('{{ .a | ToUpper | printf "%s!" }}', { a: 'x' }), 'X!');
    assert.equal(render('{{ .path | replace " " "_" | trunc 5 | upper }}', { path: 'a b c d e f' }), 'A_B_C');
  });

  it('if/else if/else, with, range, variables, break', () => {
    const t = `{{ if eq .level "error" }}ERR{{ else if eq .level "warn" }}W{{ else }}{{ .level | upper }}{{ end }}`;
    assert.equal(render(t, { level: 'error' }), 'ERR');
    assert.equal(render(t, { level: 'warn' }), 'W');
    assert.equal(render(t, { level: 'info' }), 'INFO');
    assert.equal(render('{{ with .a }}[{{ . }}]{{ else }}none{{ end }}', { a: '' }), 'none');
    assert.equal(render('{{ $x := .a }}{{ $x }}{{ $x = "b" }}{{ $x }}', { a: 'a' }), 'ab');
    assert.equal(render('{{ range $i, $e := fromJson "[10,20,30]" }}{{ if eq $i 2 }}{{ break }}{{ end }}{{$i}}:{{$e}} {{ end }}'), '0:10 1:20 ');
    assert.equal(render('{{ range fromJson "[]" }}x{{ else }}empty{{ end }}'), 'empty');
  });

  it('whitespace trimming and comments', () => {
    assert.equal(render('a  {{- .x -}}  b {{/* note */}}c', { x: 'X' }), 'aXb c');
  });

  it('comparisons and logic', () => {
    assert.equal(render('{{ if and (contains "he" "hello") (hasPrefix "h" "hello") }}yes{{ end }}'), 'yes');
    assert.equal(render('{{ or "" "fallback" }} {{ not true }} {{ lt 1 2 }} {{ ge "b" "a" }} {{ eq 1 2 3 1 }}'), 'fallback false true true true');
    assert.equal(render('{{ if ge (int .status) 500 }}5xx{{ else }}ok{{ end }}', { status: '503' }), '5xx');
    assert.throws(() => render('{{ eq .status 200 }}', { status: '200' }), ExecError);
  });

  it('printf verbs and number printing', () => {
    assert.equal(render('{{ printf "%05.2f|%-4s|%x|%q|%d|%v|%3d|%t" 3.14159 "ab" 255 "hi" 42 1e6 7 true }}'), '03.14|ab  |ff|"hi"|42|1e+06|  7|true');
    assert.equal(render('{{ printf "%d" "x" }}'), '%!d(string=x)');
    assert.equal(formatFloatV(123456), '123456');
    assert.equal(formatFloatV(1234567), '1.234567e+06');
    assert.equal(formatFloatV(0.0001), '0.0001');
    assert.equal(formatFloatV(0.00001), '1e-05');
  });

  it("Loki's and sprig's functions", () => {
    assert.equal(render('{{ __line__ | trunc 4 }}|{{ __timestamp__ | unixEpochMillis }}|{{ __timestamp__ | unixEpochNanos }}'), `the |1763596800123|${TS}`);
    assert.equal(render('{{ __timestamp__ | date "2006-01-02T15:04:05.000Z07:00" }}'), '2025-11-20T00:00:00.123Z');
    assert.equal(render('{{ __timestamp__ | unixEpoch }}'), '1763596800');
    assert.equal(render('{{ .d | duration_seconds }} {{ .b | bytes }}', { d: '1.5s', b: '5MB' }), '1.5 5e+06');
    assert.equal(render('{{ add 1 2 }} {{ sub 5 7 }} {{ mul 3 4 }} {{ div 7 2 }} {{ mod 7 2 }} {{ addf 1.5 2 }} {{ divf 1 4 }} {{ max 1 9 3 }} {{ minf 2.5 1 }}'), '3 -2 12 3 1 3.5 0.25 9 1');
    assert.equal(render('{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 1.2345 2 }} {{ int "12" }} {{ float64 "1.5" }}'), '2 1 1.23 12 1.5');
    assert.equal(render('{{ regexReplaceAll "(l+)" "hello" "<${1}>" }} {{ regexReplaceAllLiteral "l+" "hello" "$1" }} {{ count "l" "hello" }}'), 'he<ll>o he$1o 2');
    assert.equal(render('{{ "a b&c" | urlencode }} {{ urldecode "a+b%26c" }} {{ b64enc "hi" }} {{ b64dec "aGk=" }}'), 'a+b%26c a b&c aGk= hi');
    assert.equal(render('{{ substr 0 3 "Köln" }} {{ title "hello world" }} {{ TrimSpace "  x " }} {{ trimAll "-" "--x--" }} {{ TrimPrefix "ab" "a" }}'), 'Kö Hello World x x b');
    // sprig's offsets are UTF-8 bytes; a rune cut in half renders as U+FFFD.
    assert.equal(render('{{ substr 0 2 "Köln" }}|{{ substr 3 -1 "Köln" }}|{{ substr -1 1 "Köln" }}|{{ trunc 2 "Köln" }}|{{ trunc -3 "Köln" }}'), 'K\ufffd|ln|K|K\ufffd|\ufffdln');
    assert.equal(render('{{ default "none" .x }} {{ default "none" "set" }} {{ repeat 3 "ab" }} {{ indent 2 "a\\nb" }}'), 'none set ababab   a\n  b');
    assert.equal(render('{{ alignLeft 5 "ab" }}|{{ alignRight 5 "ab" }}|{{ alignLeft 1 "ab" }}'), 'ab   |   ab|a');
    assert.equal(render('{{ (fromJson "{\\"a\\":{\\"b\\":2}}").a.b }}'), '2');
    assert.equal(render('{{ toDate "2006-01-02" "2024-03-05" | unixEpoch }}'), '1709596800');
    assert.equal(render('{{ unixToTime "1709596800" | date "2006-01-02 15:04" }}'), '2024-03-05 00:00');
    assert.equal(render('{{ sha256 "a" }}'), 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
  });

  it('parse errors carry Go messages', () => {
    assert.throws(() => compileTemplate('line', '{{ nosuchfunc }}'), /template: line:1: function "nosuchfunc" not defined/);
    assert.throws(() => compileTemplate('label', '{{'), /unclosed action/);
    assert.throws(() => compileTemplate('line', '{{ if .a }}x'), /unexpected EOF/);
    assert.throws(() => compileTemplate('line', '{{ $nope }}'), /undefined variable "\$nope"/);
    assert.throws(() => compileTemplate('line', '{{ end }}'), /unexpected \{\{end\}\}/);
  });
});
