extension StatusAssets {
    /// `/static/status.css`: the page's only styles (the CSP allows no inline style). Light and
    /// dark follow `prefers-color-scheme`; below 760 px wide the tables fold into cards for phones.
    static let stylesheet = #"""
        :root {
          color-scheme: light dark;
          --bg: #f6f7f9; --fg: #1b1f24; --muted: #5d6673; --card: #ffffff; --line: #d9dde3; --zebra: #f3f5f8;
          --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff4cc; --bad: #cf222e; --bad-bg: #ffebe9;
          --accent: #0969da; --spark: #0969da;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #0d1117; --fg: #e6edf3; --muted: #9aa5b1; --card: #161b22; --line: #30363d; --zebra: #1b2129;
            --ok: #3fb950; --ok-bg: #12261a; --warn: #d29922; --warn-bg: #2b2111; --bad: #f85149; --bad-bg: #2d1214;
            --accent: #58a6ff; --spark: #58a6ff;
          }
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body {
          margin: 0; background: var(--bg); color: var(--fg);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
        }
        a { color: var(--accent); }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
        .top, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 16px; }
        .top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding-top: 14px; }
        h1 { font-size: 1.35rem; margin: 0; }
        h2 { font-size: 1.05rem; margin: 0 0 8px; }
        h3 { font-size: 0.8rem; margin: 0 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
        .updated { margin: 0; color: var(--muted); font-size: 0.9rem; }
        .live { margin-left: 6px; padding: 1px 7px; border-radius: 9px; font-size: 0.8rem; background: var(--warn-bg); color: var(--warn); }
        .tiles { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px; margin: 14px 0; }
        .tile { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 8px; padding: 8px 12px; min-width: 0; }
        .tile .k { display: block; color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; }
        .tile .v { display: block; font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.2; }
        .tile .n { display: block; color: var(--muted); font-size: 0.85rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .tile.ok { border-left-color: var(--ok); }
        .tile.warn { border-left-color: var(--warn); }
        .tile.bad { border-left-color: var(--bad); }
        .tile.bad .v { color: var(--bad); }
        section[aria-labelledby] { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 0 0 14px; }
        section.target { border-width: 2px; }
        section.target section[aria-labelledby] { border: none; border-top: 1px solid var(--line); border-radius: 0; padding: 10px 0 0; margin: 10px 0 0; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--line); vertical-align: middle; }
        thead th { color: var(--muted); font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
        tbody tr:nth-child(even) { background: var(--zebra); }
        tbody th { font-weight: 600; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        .name { max-width: 32ch; overflow-wrap: anywhere; }
        /* A name carrying bidirectional controls (U+202E) cannot reorder the text around it. */
        .name, .label, td.summary, .kv dd { unicode-bidi: isolate; }
        tr.firing th[scope="row"] { box-shadow: inset 4px 0 0 var(--bad); padding-left: 8px; }
        tr.pending th[scope="row"] { box-shadow: inset 4px 0 0 var(--warn); padding-left: 8px; }
        td.warn, dd.warn { color: var(--warn); font-weight: 650; }
        dd.bad { color: var(--bad); font-weight: 650; }
        .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 0.78rem; font-weight: 600; white-space: nowrap; }
        .badge.ok { background: var(--ok-bg); color: var(--ok); }
        .badge.pending { background: var(--warn-bg); color: var(--warn); }
        .badge.firing { background: var(--bad-bg); color: var(--bad); }
        .label { display: inline-block; max-width: 100%; margin: 1px 4px 1px 0; padding: 0 6px; border: 1px solid var(--line); border-radius: 4px; font-size: 0.8rem; overflow-wrap: break-word; }
        .labels { max-width: 40ch; }
        th button { font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; }
        th button:hover, th button:focus-visible { color: var(--accent); text-decoration: underline; }
        th[aria-sort="ascending"] button::after { content: " \25B2"; }
        th[aria-sort="descending"] button::after { content: " \25BC"; }
        .spark { display: block; overflow: visible; }
        .spark polyline { fill: none; stroke: var(--spark); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
        .spark circle { fill: var(--spark); }
        .spark .base { stroke: var(--line); stroke-width: 1; }
        .empty, .note, .muted { color: var(--muted); }
        .empty { margin: 4px 0; }
        .note { font-size: 0.85rem; margin: 8px 0 0; }
        .cols { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 14px; }
        .kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
        .kv dt { color: var(--muted); }
        .kv dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        footer { color: var(--muted); font-size: 0.85rem; padding-bottom: 24px; }
        time { text-decoration: underline dotted; text-underline-offset: 2px; }
        @media (max-width: 760px) {
          body { font-size: 14px; }
          .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); }
          .cols { grid-template-columns: 1fr; }
          .tile .v { font-size: 1.3rem; }
          .tile .n { white-space: normal; }
          section[aria-labelledby] { padding: 10px; }
          /* Tables fold into one card per row: the row header on top, then label/value pairs. */
          .scroll { overflow-x: visible; }
          table, tbody, tr, th[scope="row"], td { display: block; }
          thead { display: none; }
          tbody tr { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 4px 10px; padding: 8px 0 8px 10px; border-bottom: 1px solid var(--line); }
          tbody th[scope="row"] { grid-column: 1 / -1; border: 0; padding: 0; max-width: none; }
          tr.firing th[scope="row"], tr.pending th[scope="row"] { box-shadow: none; padding-left: 0; }
          tr.firing { box-shadow: inset 4px 0 0 var(--bad); }
          tr.pending { box-shadow: inset 4px 0 0 var(--warn); }
          td { border: 0; padding: 0; text-align: left; min-width: 0; }
          td.num { text-align: left; }
          td[data-label]::before { content: attr(data-label); display: block; color: var(--muted); font-size: 0.75rem; }
          td.labels, td.summary { grid-column: 1 / -1; }
          td.labels::before, td.summary::before { display: none; }
          .spark { max-width: 100%; height: auto; }
        }
        """#
}
