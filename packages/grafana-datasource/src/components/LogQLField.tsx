// A LogQL input without Monaco: a transparent textarea over a highlighted copy of the text (colours from the
// LogQL grammar), with a suggestion list for label names, label values, pipeline stages and functions.
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { FUNCTIONS, PIPELINE_STAGES, completionContext, highlightTokens, type CompletionContext, type TokenClass } from '../shared/editorSyntax.js';

export interface Suggestions {
  labelNames(otherMatchers: string): Promise<string[]>;
  labelValues(label: string, otherMatchers: string): Promise<string[]>;
}

interface Props {
  value: string;
  onChange(value: string): void;
  onRunQuery(): void;
  suggestions: Suggestions;
  placeholder?: string;
}

const MAX_ITEMS = 50;

async function candidates(ctx: CompletionContext, s: Suggestions): Promise<string[]> {
  switch (ctx.kind) {
    case 'labelName':
      return (await s.labelNames(ctx.otherMatchers)).filter((n) => n.startsWith(ctx.prefix));
    case 'labelValue':
      return (await s.labelValues(ctx.label, ctx.otherMatchers)).filter((v) => v.startsWith(ctx.prefix));
    case 'pipeline':
      return PIPELINE_STAGES.filter((p) => p.startsWith(ctx.prefix));
    case 'function':
      return ctx.prefix.length > 0 ? FUNCTIONS.filter((f) => f.startsWith(ctx.prefix) && f !== ctx.prefix) : [];
    case 'none':
      return [];
  }
}

/** The text after accepting `item` for the word before the cursor; returns the new text and cursor. */
function accept(value: string, cursor: number, ctx: CompletionContext, item: string): { text: string; cursor: number } {
  if (ctx.kind === 'none') return { text: value, cursor };
  const start = cursor - ctx.prefix.length;
  let insert = item;
  if (ctx.kind === 'labelValue') {
    insert = item.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    if (value[cursor] !== '"') insert += '"';
  } else if (ctx.kind === 'labelName') insert = `${item}=`;
  else if (ctx.kind === 'function') insert = `${item}(`;
  const text = value.slice(0, start) + insert + value.slice(cursor);
  return { text, cursor: start + insert.length };
}

export function LogQLField({ value, onChange, onRunQuery, suggestions, placeholder }: Props): React.JSX.Element {
  const styles = useStyles2(getStyles);
  const area = useRef<HTMLTextAreaElement>(null);
  const [items, setItems] = useState<string[]>([]);
  const [active, setActive] = useState(0);
  const [ctx, setCtx] = useState<CompletionContext>({ kind: 'none' });
  const request = useRef(0);

  const tokens = useMemo(() => highlightTokens(value), [value]);
  const highlighted = useMemo(() => {
    const parts: React.ReactNode[] = [];
    let at = 0;
    tokens.forEach((t, i) => {
      if (t.from < at) return;
      if (t.from > at) parts.push(value.slice(at, t.from));
      parts.push(
        <span key={i} className={styles.token[t.cls]} data-token={t.cls}>
          {value.slice(t.from, t.to)}
        </span>,
      );
      at = t.to;
    });
    parts.push(value.slice(at) + '\n');
    return parts;
  }, [tokens, value, styles]);

  const refresh = useCallback(
    (text: string, cursor: number) => {
      const c = completionContext(text.slice(0, cursor));
      setCtx(c);
      const id = ++request.current;
      candidates(c, suggestions).then(
        (list) => {
          if (id !== request.current) return;
          setItems(list.slice(0, MAX_ITEMS));
          setActive(0);
        },
        () => id === request.current && setItems([]),
      );
    },
    [suggestions],
  );

  const choose = (item: string) => {
    const el = area.current;
    if (!el) return;
    const next = accept(value, el.selectionStart, ctx, item);
    onChange(next.text);
    setItems([]);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.cursor, next.cursor);
      refresh(next.text, next.cursor);
    });
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (items.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        choose(items[active]!);
        return;
      }
      if (e.key === 'Escape') {
        setItems([]);
        return;
      }
    }
    if (e.key === 'Enter' && (e.shiftKey || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onRunQuery();
    }
  };

  useEffect(() => () => void (request.current = -1), []);

  return (
    <div className={styles.wrapper} data-testid="lode-logql-field">
      <pre className={styles.highlight} aria-hidden="true">
        {highlighted}
      </pre>
      <textarea
        ref={area}
        className={styles.input}
        value={value}
        spellCheck={false}
        placeholder={placeholder}
        aria-label="LogQL query"
        rows={Math.max(1, value.split('\n').length)}
        onChange={(e) => {
          onChange(e.target.value);
          refresh(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onClick={(e) => refresh(value, e.currentTarget.selectionStart)}
        onBlur={() => {
          setTimeout(() => setItems([]), 150);
          onRunQuery();
        }}
      />
      {items.length > 0 && (
        <ul className={styles.menu} role="listbox" data-testid="lode-completions">
          {items.map((item, i) => (
            <li
              key={item}
              role="option"
              aria-selected={i === active}
              className={i === active ? styles.activeItem : styles.item}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(item);
              }}
            >
              {item}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function getStyles(theme: GrafanaTheme2) {
  const text = css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    lineHeight: '20px',
    padding: theme.spacing(0.5, 1),
    margin: 0,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    border: `1px solid transparent`,
  });
  const token: Record<TokenClass, string> = {
    label: css({ color: theme.colors.primary.text }),
    string: css({ color: theme.visualization.getColorByName('green') }),
    number: css({ color: theme.visualization.getColorByName('orange') }),
    operator: css({ color: theme.visualization.getColorByName('purple') }),
    keyword: css({ color: theme.visualization.getColorByName('blue'), fontWeight: theme.typography.fontWeightMedium }),
    function: css({ color: theme.visualization.getColorByName('yellow') }),
    comment: css({ color: theme.colors.text.disabled, fontStyle: 'italic' }),
    error: css({ textDecoration: `wavy underline ${theme.colors.error.main}` }),
  };
  return {
    token,
    wrapper: css({ position: 'relative', width: '100%', background: theme.components.input.background, borderRadius: theme.shape.radius.default }),
    highlight: css(text, { color: theme.colors.text.primary, minHeight: 32, pointerEvents: 'none', background: 'transparent' }),
    input: css(text, {
      position: 'absolute',
      inset: 0,
      width: '100%',
      height: '100%',
      resize: 'none',
      overflow: 'hidden',
      color: 'transparent',
      caretColor: theme.colors.text.primary,
      background: 'transparent',
      borderColor: theme.components.input.borderColor,
      borderRadius: theme.shape.radius.default,
      outline: 'none',
      '&:focus': { borderColor: theme.colors.primary.border },
    }),
    menu: css({
      position: 'absolute',
      top: '100%',
      left: 0,
      zIndex: theme.zIndex.dropdown,
      listStyle: 'none',
      margin: 0,
      padding: theme.spacing(0.5, 0),
      minWidth: 220,
      maxHeight: 260,
      overflowY: 'auto',
      background: theme.colors.background.elevated,
      boxShadow: theme.shadows.z3,
      borderRadius: theme.shape.radius.default,
      fontFamily: theme.typography.fontFamilyMonospace,
      fontSize: theme.typography.bodySmall.fontSize,
    }),
    item: css({ padding: theme.spacing(0.25, 1), cursor: 'pointer' }),
    activeItem: css({ padding: theme.spacing(0.25, 1), cursor: 'pointer', background: theme.colors.action.selected }),
  };
}
