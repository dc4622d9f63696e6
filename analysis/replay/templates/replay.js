/* drillsim tabletop replay: plays a run back on a map, clock, timeline and objective tiles.
 *
 * Everything is read from the JSON in #replay-data (format "REPLAY", version 1). The page needs
 * no network and no library. Per-frame work is kept small: base64 arrays are decoded once,
 * events are indexed by time (binary search), the map is drawn in three layers — the region
 * (roads, background; redrawn on resize only), the frame (zones, facilities, closed roads;
 * redrawn when the frame or a closure changes) and the moving parts (teams, incidents; every
 * animation frame).
 */
(() => {
  'use strict';

  // ------------------------------------------------------------------ helpers

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** Number of elements of the ascending array `a` that are <= x. */
  function bisectRight(a, x) {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] <= x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function bytesFromBase64(text) {
    if (!text) return new Uint8Array(0);
    const bin = atob(text);
    const n = bin.length;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);
  const num = (v, fallback) => (typeof v === 'number' && isFinite(v) ? v : fallback);
  const EPS = 1e-6;

  function fmtNumber(v) {
    if (typeof v !== 'number' || !isFinite(v)) return '–';
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(Number(v.toPrecision(3)));
  }

  const fmtInt = (v) => Math.round(v).toLocaleString('en-US');
  const fmtPct = (share) => `${Math.round(share * 100)} %`;

  /** "T+h:mm" of a time in seconds since the start (minutes rounded down). */
  function fmtT(t) {
    const m = Math.floor((t + EPS) / 60);
    return `T+${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
  }

  function fmtDuration(s) {
    const m = Math.round(s / 60);
    const h = Math.floor(m / 60);
    if (h >= 48) return `${Math.floor(h / 24)} d ${h % 24} h`;
    return m % 60 ? `${h} h ${String(m % 60).padStart(2, '0')} min` : `${h} h`;
  }

  /** Wall clock from the run's local start time (the offset in start_iso is ignored: the
   * exercise is told in the local time of the scenario, whatever the viewer's time zone). */
  function makeWallClock(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?/.exec(iso || '');
    if (!m) return null;
    const y = +m[1];
    const mo = +m[2] - 1;
    const d = +m[3];
    const sod = (+(m[4] || 0)) * 3600 + (+(m[5] || 0)) * 60 + (m[6] ? +m[6] : 0);
    const dateFmt = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' };
    return {
      parts(t) {
        const s = sod + Math.floor(t + EPS);
        const day = Math.floor(s / 86400);
        const r = s - day * 86400;
        const hh = String(Math.floor(r / 3600)).padStart(2, '0');
        const mm = String(Math.floor((r % 3600) / 60)).padStart(2, '0');
        const date = new Date(Date.UTC(y, mo, d + day)).toLocaleDateString('en-GB', dateFmt);
        return { day: day + 1, hm: `${hh}:${mm}`, date };
      },
      text(t) { const p = this.parts(t); return `Day ${p.day} ${p.hm}`; },
    };
  }

  // ------------------------------------------------------------------ colours

  function hexRgb(h) {
    const n = parseInt(h.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function rgbHex(c) {
    return `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
  }

  /** k colours spread evenly over a ramp of anchor colours (one class: a strong colour). */
  function sampleRamp(anchors, k) {
    const rgb = anchors.map(hexRgb);
    const out = [];
    for (let i = 0; i < k; i++) {
      const p = k === 1 ? 0.75 : i / (k - 1);
      const x = p * (rgb.length - 1);
      const j = Math.min(Math.floor(x), rgb.length - 2);
      const f = x - j;
      out.push(rgbHex(rgb[j].map((v, c) => v + (rgb[j + 1][c] - v) * f)));
    }
    return out;
  }

  const HAZARD_RAMPS = {
    flood: ['#c6dbef', '#6baed6', '#2171b5', '#08306b'],
    earthquake: ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'],
    chemical: ['#fed976', '#fd8d3c', '#e31a1c'],
    other: ['#d9f0a3', '#78c679', '#238443', '#004529'],
  };
  const HAZARD_NAMES = { flood: 'Flood', earthquake: 'Earthquake', chemical: 'Chemical release' };
  const BELOW_COLOUR = '#f4f5f7';
  const HOME_COLOURS = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'];
  const HOME_LABELS = ['under 20 %', '20–40 %', '40–60 %', '60–80 %', '80 % or more'];
  const LOAD = { low: '#1a7f37', mid: '#c98a00', high: '#c62828', closed: '#9aa3ad' };
  const TEAM_COLOURS = ['#1565c0', '#6a1b9a', '#00838f', '#2e7d32', '#5d4037', '#ad1457', '#37474f', '#283593'];
  const INCIDENT_COLOUR = '#d84315';
  const CLOSED_ROAD = '#d32f2f';

  const loadColour = (share) => (share < 0.5 ? LOAD.low : share < 0.9 ? LOAD.mid : LOAD.high);
  const capital = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);
  const TAGS = new Set(['hazard', 'command', 'inject', 'resource', 'shortfall', 'met', 'missed']);

  // ------------------------------------------------------------------ the model

  /** Everything the page shows, decoded and indexed once. */
  function buildModel(raw) {
    if (!raw || raw.version !== 1) {
      throw new Error(`replay data version ${raw && raw.version}, this page reads version 1`);
    }
    const meta = raw.meta || {};
    const region = raw.region || {};
    const frames = raw.frames || {};
    const f64 = (a) => Float64Array.from(a || []);

    const zones = region.zones || {};
    const Z = (zones.id || []).length;
    const roads = region.roads || {};
    const R = (roads.id || []).length;
    const fac = region.facilities || {};
    const F = (fac.id || []).length;

    const tS = f64(frames.t_s && frames.t_s.length ? frames.t_s : [0]);
    const T = tS.length;
    const duration = Math.max(num(meta.duration_s, 0), tS[T - 1]);

    const expect = (bytes, n, what) => {
      if (bytes.length !== n) throw new Error(`${what}: ${bytes.length} values, expected ${n}`);
      return bytes;
    };

    const kindCount = {};
    for (const h of frames.hazards || []) kindCount[h.kind] = (kindCount[h.kind] || 0) + 1;
    const hazards = (frames.hazards || []).map((h) => {
      const levels = (h.levels || []).map(Number);
      const kind = String(h.kind || '');
      const name = HAZARD_NAMES[kind] || capital(kind.replace(/_/g, ' ')) || 'Hazard';
      return {
        id: String(h.id), kind, measure: h.measure || '', label: h.label || h.measure || '',
        levels, name: kindCount[kind] > 1 ? `${name} (${h.id})` : name,
        colours: levels.length ? sampleRamp(HAZARD_RAMPS[kind] || HAZARD_RAMPS.other, levels.length) : [],
        cls: expect(bytesFromBase64(h.zone_class), T * Z, `hazard ${h.id} zone_class`),
      };
    });
    const home = frames.people_home ? expect(bytesFromBase64(frames.people_home), T * Z, 'people_home') : null;
    const load = frames.shelter_load ? expect(bytesFromBase64(frames.shelter_load), T * F, 'shelter_load') : null;

    // road closures, in time order (stable sort keeps same-time changes in the given order)
    const changes = (raw.road_changes || []).map((c, i) => [num(c[0], 0), c[1] | 0, c[2] ? 1 : 0, i])
      .filter((c) => c[1] >= 0 && c[1] < R)
      .sort((a, b) => a[0] - b[0] || a[3] - b[3]);
    const rc = {
      t: Float64Array.from(changes, (c) => c[0]),
      road: Int32Array.from(changes, (c) => c[1]),
      closed: Uint8Array.from(changes, (c) => c[2]),
    };

    // incidents sorted by opening time; closing Infinity when never closed
    const inc = (raw.incidents || []).slice().sort((a, b) => num(a.open_s, 0) - num(b.open_s, 0));
    const incidents = {
      open: Float64Array.from(inc, (i) => num(i.open_s, 0)),
      close: Float64Array.from(inc, (i) => (i.close_s === null || i.close_s === undefined ? Infinity : i.close_s)),
      x: Float64Array.from(inc, (i) => num(i.x, 0)),
      y: Float64Array.from(inc, (i) => num(i.y, 0)),
      units: Float64Array.from(inc, (i) => num(i.units, 1)),
      n: inc.length,
    };

    const teamTypes = [];
    const teams = (raw.teams || []).map((tm) => {
      const tr = (tm.track || []).slice().sort((a, b) => a[0] - b[0]);
      let type = teamTypes.indexOf(tm.type);
      if (type < 0) { teamTypes.push(tm.type); type = teamTypes.length - 1; }
      return {
        id: tm.id, type,
        t: Float64Array.from(tr, (p) => p[0]), x: Float64Array.from(tr, (p) => p[1]),
        y: Float64Array.from(tr, (p) => p[2]),
      };
    });

    const objectives = (raw.objectives || []).map((o, i) => ({
      i, id: String(o.id), text: o.text || o.id, capability: o.capability || '', met: !!o.met,
      decided: o.decided_s === null || o.decided_s === undefined ? duration : num(o.decided_s, duration),
      decidedAtEnd: o.decided_s === null || o.decided_s === undefined,
      value: o.value === null || o.value === undefined ? '' : String(o.value),
      target: o.target === null || o.target === undefined ? '' : String(o.target),
    }));

    const decisions = (raw.decisions || []).map((d, i) => ({
      i, id: String(d.id), at: num(d.at_s, 0), question: d.question || '',
      options: (d.options || []).map((o) => ({
        id: String(o.id), label: o.label || o.id, played: !!o.played,
        objectives: new Map((o.objectives || []).map((r) => [String(r.id), { met: !!r.met, value: r.value }])),
      })),
    }));

    // the timeline shown: entries and decision points, in time order
    const items = [];
    (raw.timeline || []).forEach((e, i) => items.push({
      t: num(e.t_s, 0), tag: TAGS.has(e.tag) ? e.tag : 'other', rawTag: e.tag || '', text: e.text || '',
      hidden: !!e.hidden, order: i, decision: null,
    }));
    decisions.forEach((d, i) => items.push({
      t: d.at, tag: 'decision', rawTag: 'decision', text: d.question, hidden: false, order: 1e9 + i, decision: d,
    }));
    items.sort((a, b) => a.t - b.t || a.order - b.order);
    items.forEach((it, i) => { it.i = i; });

    return {
      meta, region, bounds: region.bounds || [0, 1, 0, 1], Z, R, F, T, tS, duration,
      zones: {
        id: zones.id || [], name: zones.name || zones.id || [], x: f64(zones.x), y: f64(zones.y),
        pop: f64(zones.pop),
      },
      roads: {
        x0: f64(roads.x0), y0: f64(roads.y0), x1: f64(roads.x1), y1: f64(roads.y1),
        bridge: Uint8Array.from(roads.bridge || [], (b) => (b ? 1 : 0)),
      },
      fac: {
        kind: fac.kind || [], id: fac.id || [], name: fac.name || fac.id || [], x: f64(fac.x), y: f64(fac.y),
        capacity: f64(fac.capacity),
      },
      hazards, home, load, rc, incidents, teams, teamTypes, objectives, decisions, items,
      itemT: Float64Array.from(items, (it) => it.t),
    };
  }

  /** Which roads are closed at the clock: the changes up to it applied in order, undone when
   * the clock goes back (each change remembers the state it replaced). */
  class Closures {
    constructor(M) {
      this.rc = M.rc;
      this.state = new Uint8Array(M.R);
      this.prev = new Uint8Array(M.rc.t.length);
      this.applied = 0;
    }

    moveTo(t) {
      const n = bisectRight(this.rc.t, t);
      const { road, closed } = this.rc;
      while (this.applied < n) {
        const i = this.applied++;
        this.prev[i] = this.state[road[i]];
        this.state[road[i]] = closed[i];
      }
      while (this.applied > n) {
        const i = --this.applied;
        this.state[road[i]] = this.prev[i];
      }
      return this.applied;
    }
  }

  // ------------------------------------------------------------------ the map

  class MapView {
    constructor(M, wrap, canvas) {
      this.M = M;
      this.wrap = wrap;
      this.canvas = canvas;
      this.ctx = canvas.getContext('2d');
      this.base = document.createElement('canvas');
      this.frameLayer = document.createElement('canvas');
      this.w = 0;
      this.h = 0;
      this.dpr = 0;
      this.frameKey = '';
      this.closedPath = null;
      this.closedKey = -1;
      this.hover = null;
      this.openIncidents = 0;
      this.teamsOnMap = 0;
      this.roadsClosed = 0;
      this.stale = true;
      this.reserveLeft = null;
      const pops = M.zones.pop;
      let maxPop = 0;
      for (let i = 0; i < pops.length; i++) if (pops[i] > maxPop) maxPop = pops[i];
      this.maxPop = maxPop || 1;
    }

    /** Fit the region to the canvas; returns true when the size changed (layers redrawn). */
    resize() {
      const w = Math.max(60, Math.floor(this.wrap.clientWidth));
      const h = Math.max(60, Math.floor(this.wrap.clientHeight));
      const dpr = window.devicePixelRatio || 1;
      if (w === this.w && h === this.h && dpr === this.dpr && !this.stale) return false;
      this.stale = false;
      this.w = w; this.h = h; this.dpr = dpr;
      for (const c of [this.canvas, this.base, this.frameLayer]) {
        c.width = Math.round(w * dpr);
        c.height = Math.round(h * dpr);
      }
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;

      const M = this.M;
      const [x0, x1, y0, y1] = M.bounds;
      // the key sits on the left: keep the region clear of it while the map stays wide enough
      const reserve = this.reserveLeft ? this.reserveLeft() : 0;
      const pad = { l: reserve && w - reserve > 0.55 * w ? reserve : 16, r: 16, t: 50, b: 34 };
      const k = Math.min((w - pad.l - pad.r) / ((x1 - x0) || 1), (h - pad.t - pad.b) / ((y1 - y0) || 1));
      const ox = pad.l + (w - pad.l - pad.r - (x1 - x0) * k) / 2;
      const oy = pad.t + (h - pad.t - pad.b - (y1 - y0) * k) / 2;
      this.k = k;
      this.sx = (x) => ox + (x - x0) * k;
      this.sy = (y) => oy + (y1 - y) * k;
      this.frame = { x: ox, y: oy, w: (x1 - x0) * k, h: (y1 - y0) * k };

      const { Z, F } = M;
      const spacing = Math.sqrt((this.frame.w * this.frame.h) / Math.max(Z, 1));
      const rMax = clamp((Z > 500 ? 0.5 : 0.6) * spacing, 3, 24);
      this.zx = new Float32Array(Z); this.zy = new Float32Array(Z); this.zr = new Float32Array(Z);
      const outline = new Path2D();
      for (let i = 0; i < Z; i++) {
        const x = this.sx(M.zones.x[i]);
        const y = this.sy(M.zones.y[i]);
        const r = Math.max(1.8, rMax * Math.sqrt(Math.max(M.zones.pop[i], 0) / this.maxPop));
        this.zx[i] = x; this.zy[i] = y; this.zr[i] = r;
        outline.moveTo(x + r, y);
        outline.arc(x, y, r, 0, 2 * Math.PI);
      }
      this.zoneOutline = outline;
      this.fx = new Float32Array(F); this.fy = new Float32Array(F);
      for (let i = 0; i < F; i++) { this.fx[i] = this.sx(M.fac.x[i]); this.fy[i] = this.sy(M.fac.y[i]); }
      this.facSize = F > 80 ? 7 : F > 30 ? 8.5 : 10;
      this.incN = M.incidents.n;
      this.ix = Float32Array.from(M.incidents.x, (v) => this.sx(v));
      this.iy = Float32Array.from(M.incidents.y, (v) => this.sy(v));
      const incScale = M.incidents.n > 200 ? 0.7 : 1;
      this.ir = Float32Array.from(M.incidents.units,
        (u) => incScale * clamp(2.2 + 1.1 * Math.sqrt(Math.max(u, 0)), 2.5, 8));
      this.teamR = M.teams.length > 100 ? 3 : 4.5;

      this.drawBase();
      this.frameKey = '';
      this.closedKey = -1;
      return true;
    }

    /** Roads, bridges and zone outlines on a transparent layer laid over the zone colours:
     * drawn only when the size changes. */
    drawBase() {
      const M = this.M;
      const c = this.base.getContext('2d');
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.clearRect(0, 0, this.base.width, this.base.height);
      c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);

      const { x0, y0, x1, y1, bridge } = M.roads;
      const plain = new Path2D();
      const bridges = new Path2D();
      for (let i = 0; i < M.R; i++) {
        const p = bridge[i] ? bridges : plain;
        p.moveTo(this.sx(x0[i]), this.sy(y0[i]));
        p.lineTo(this.sx(x1[i]), this.sy(y1[i]));
      }
      const dense = M.R > 3000;
      c.lineCap = 'round';
      c.strokeStyle = '#a7b0bb';
      c.lineWidth = dense ? 0.6 : 1.4;
      c.stroke(plain);
      c.strokeStyle = '#34404d';
      c.lineWidth = dense ? 2.2 : 4;
      c.stroke(bridges);
      c.strokeStyle = 'rgba(29,39,51,.5)';
      c.lineWidth = M.Z > 1000 ? 0.5 : 1;
      c.stroke(this.zoneOutline);
      // a small region: zone names under their circles
      if (M.Z <= 40) {
        c.font = '11px "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif';
        c.textAlign = 'center';
        c.textBaseline = 'top';
        c.lineJoin = 'round';
        c.lineWidth = 3;
        c.strokeStyle = 'rgba(255,255,255,.9)';
        c.fillStyle = '#33404f';
        for (let i = 0; i < M.Z; i++) {
          const name = String(M.zones.name[i] ?? M.zones.id[i] ?? '');
          const y = this.zy[i] + this.zr[i] + 2;
          c.strokeText(name, this.zx[i], y);
          c.fillText(name, this.zx[i], y);
        }
        c.textBaseline = 'alphabetic';
      }

    }

    /** Scale bar and north arrow, over everything drawn from the data. */
    drawFurniture(c) {
      // scale bar: a round length near 120 px
      const target = 120 / this.k;
      const pow = 10 ** Math.floor(Math.log10(target));
      const len = [1, 2, 5, 10].map((m) => m * pow).filter((v) => v <= target).pop() || pow;
      const px = len * this.k;
      const bx = this.w - px - 22;
      const by = this.h - 9;
      c.fillStyle = 'rgba(255,255,255,.85)';
      c.fillRect(bx - 8, by - 20, px + 16, 24);
      c.strokeStyle = '#1d2733';
      c.lineWidth = 1.5;
      c.beginPath();
      c.moveTo(bx, by - 4); c.lineTo(bx, by); c.lineTo(bx + px, by); c.lineTo(bx + px, by - 4);
      c.stroke();
      c.fillStyle = '#1d2733';
      c.font = '11px "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif';
      c.textAlign = 'center';
      c.fillText(len >= 1000 ? `${len / 1000} km` : `${len} m`, bx + px / 2, by - 6);
      // north arrow
      const nx = this.w - 26;
      const ny = 34;
      c.beginPath();
      c.moveTo(nx, ny - 12); c.lineTo(nx + 6, ny + 5); c.lineTo(nx, ny + 1); c.lineTo(nx - 6, ny + 5);
      c.closePath();
      c.fillStyle = '#1f3a5f';
      c.fill();
      c.font = 'bold 11px "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif';
      c.fillText('N', nx, ny - 15);
    }

    /** Zones, closed roads and facilities of one frame, over the base; cached by key. */
    drawFrame(f, layer, closures, applied) {
      const key = `${f}|${layer.key}|${applied}`;
      if (key === this.frameKey) return;
      this.frameKey = key;
      const M = this.M;
      const c = this.frameLayer.getContext('2d');
      c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      c.fillStyle = '#e4e9ef';
      c.fillRect(0, 0, this.w, this.h);
      const fr = this.frame;
      c.fillStyle = '#fbfaf6';
      c.fillRect(fr.x, fr.y, fr.w, fr.h);
      c.strokeStyle = '#c3ccd6';
      c.lineWidth = 1;
      c.strokeRect(fr.x + 0.5, fr.y + 0.5, fr.w - 1, fr.h - 1);

      // zones, one path per colour class
      const { Z } = M;
      const colours = layer.colours;
      const paths = colours.map(() => new Path2D());
      const classes = layer.classesAt(f);
      const top = colours.length - 1;
      for (let i = 0; i < Z; i++) {
        const k = classes[i] > top ? top : classes[i];
        const p = paths[k];
        const x = this.zx[i];
        const y = this.zy[i];
        const r = this.zr[i];
        p.moveTo(x + r, y);
        p.arc(x, y, r, 0, 2 * Math.PI);
      }
      for (let k = 0; k < paths.length; k++) {
        c.fillStyle = colours[k];
        c.fill(paths[k]);
      }
      // roads and outlines over the colours
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.drawImage(this.base, 0, 0);
      c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);

      // closed roads
      if (this.closedKey !== applied) {
        this.closedKey = applied;
        const p = new Path2D();
        const { x0, y0, x1, y1 } = M.roads;
        const st = closures.state;
        let n = 0;
        for (let i = 0; i < M.R; i++) {
          if (!st[i]) continue;
          n++;
          p.moveTo(this.sx(x0[i]), this.sy(y0[i]));
          p.lineTo(this.sx(x1[i]), this.sy(y1[i]));
        }
        this.closedPath = p;
        this.roadsClosed = n;
      }
      c.strokeStyle = CLOSED_ROAD;
      c.lineWidth = M.R > 3000 ? 1.8 : 2.6;
      c.setLineDash([5, 3]);
      c.lineCap = 'butt';
      c.stroke(this.closedPath);
      c.setLineDash([]);

      this.drawFacilities(c, f);
      this.drawFurniture(c);
    }

    drawFacilities(c, f) {
      const M = this.M;
      const { F } = M;
      const s = this.facSize;
      const load = M.load;
      for (let i = 0; i < F; i++) {
        const kind = M.fac.kind[i];
        const x = this.fx[i];
        const y = this.fy[i];
        const b = load ? load[f * F + i] : 0;
        const closed = b === 255;
        if (kind === 'shelter') {
          const share = b / 200;
          const col = closed ? LOAD.closed : loadColour(share);
          c.fillStyle = col;
          c.strokeStyle = '#1d2733';
          c.lineWidth = 1;
          c.fillRect(x - s / 2, y - s / 2, s, s);
          c.strokeRect(x - s / 2, y - s / 2, s, s);
          const bw = s * 1.8;
          const bh = 3;
          const bx = x - bw / 2;
          const by = y + s / 2 + 2;
          c.fillStyle = 'rgba(255,255,255,.92)';
          c.fillRect(bx - 0.5, by - 0.5, bw + 1, bh + 1);
          if (!closed) {
            c.fillStyle = col;
            c.fillRect(bx, by, bw * Math.min(share, 1), bh);
          } else {
            c.strokeStyle = '#5b6776';
            c.beginPath();
            c.moveTo(x - s / 2 + 1.5, y - s / 2 + 1.5); c.lineTo(x + s / 2 - 1.5, y + s / 2 - 1.5);
            c.moveTo(x + s / 2 - 1.5, y - s / 2 + 1.5); c.lineTo(x - s / 2 + 1.5, y + s / 2 - 1.5);
            c.stroke();
          }
          c.strokeStyle = 'rgba(29,39,51,.6)';
          c.lineWidth = 0.6;
          c.strokeRect(bx - 0.5, by - 0.5, bw + 1, bh + 1);
        } else if (kind === 'hospital') {
          const a = s * 0.62;
          const t = s * 0.22;
          c.fillStyle = '#ffffff';
          c.fillRect(x - a - 1, y - t - 1, 2 * a + 2, 2 * t + 2);
          c.fillRect(x - t - 1, y - a - 1, 2 * t + 2, 2 * a + 2);
          c.fillStyle = closed ? LOAD.closed : '#c62828';
          c.fillRect(x - a, y - t, 2 * a, 2 * t);
          c.fillRect(x - t, y - a, 2 * t, 2 * a);
        } else {
          const r = s * 0.42;
          c.beginPath();
          if (kind === 'station') {
            c.moveTo(x, y - r * 1.2); c.lineTo(x + r, y + r * 0.8); c.lineTo(x - r, y + r * 0.8);
          } else {
            c.moveTo(x, y - r); c.lineTo(x + r, y); c.lineTo(x, y + r); c.lineTo(x - r, y);
          }
          c.closePath();
          c.fillStyle = closed ? LOAD.closed : (kind === 'station' ? '#1f3a5f' : '#6d4c41');
          c.strokeStyle = '#ffffff';
          c.lineWidth = 1;
          c.fill();
          c.stroke();
        }
      }
    }

    /** The visible canvas: the frame layer, then incidents and teams at the exact clock. */
    draw(t) {
      const M = this.M;
      const c = this.ctx;
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.drawImage(this.frameLayer, 0, 0);
      c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);

      // incidents open at t: diamonds sized by units
      const inc = M.incidents;
      const nOpened = bisectRight(inc.open, t);
      const ip = new Path2D();
      let nOpen = 0;
      for (let i = 0; i < nOpened; i++) {
        if (inc.close[i] <= t) continue;
        const x = this.ix[i];
        const y = this.iy[i];
        const r = this.ir[i];
        ip.moveTo(x, y - r); ip.lineTo(x + r, y); ip.lineTo(x, y + r); ip.lineTo(x - r, y); ip.closePath();
        nOpen++;
      }
      if (nOpen) {
        c.fillStyle = INCIDENT_COLOUR;
        c.strokeStyle = '#ffffff';
        c.lineWidth = 1;
        c.fill(ip);
        c.stroke(ip);
      }
      this.openIncidents = nOpen;

      // teams: interpolated along their tracks, one path per type
      const paths = M.teamTypes.map(() => new Path2D());
      const r = this.teamR;
      let onMap = 0;
      for (const tm of M.teams) {
        const n = tm.t.length;
        if (!n || t < tm.t[0]) continue;
        const j = bisectRight(tm.t, t) - 1;
        let x;
        let y;
        if (j >= n - 1) { x = tm.x[n - 1]; y = tm.y[n - 1]; } else {
          const span = tm.t[j + 1] - tm.t[j];
          const a = span > 0 ? (t - tm.t[j]) / span : 0;
          x = tm.x[j] + (tm.x[j + 1] - tm.x[j]) * a;
          y = tm.y[j] + (tm.y[j + 1] - tm.y[j]) * a;
        }
        const px = this.sx(x);
        const py = this.sy(y);
        const p = paths[tm.type];
        p.moveTo(px + r, py);
        p.arc(px, py, r, 0, 2 * Math.PI);
        onMap++;
      }
      this.teamsOnMap = onMap;
      c.strokeStyle = '#ffffff';
      c.lineWidth = 1.2;
      for (let k = 0; k < paths.length; k++) {
        c.fillStyle = TEAM_COLOURS[k % TEAM_COLOURS.length];
        c.fill(paths[k]);
        c.stroke(paths[k]);
      }

      // hovered item ring
      const hv = this.hover;
      if (hv) {
        c.strokeStyle = '#1f3a5f';
        c.lineWidth = 2.5;
        c.beginPath();
        if (hv.type === 'zone') c.arc(this.zx[hv.i], this.zy[hv.i], this.zr[hv.i] + 3, 0, 2 * Math.PI);
        else c.arc(this.fx[hv.i], this.fy[hv.i], this.facSize + 2, 0, 2 * Math.PI);
        c.stroke();
      }
    }

    /** The facility or zone under a point (css px), facilities first. */
    hit(px, py) {
      const M = this.M;
      let best = null;
      let bestD = Infinity;
      const fr = this.facSize + 3;
      for (let i = 0; i < M.F; i++) {
        const dx = this.fx[i] - px;
        const dy = this.fy[i] - py;
        const d = dx * dx + dy * dy;
        if (d <= fr * fr && d < bestD) { bestD = d; best = { type: 'facility', i }; }
      }
      if (best) return best;
      let bestQ = Infinity;
      for (let i = 0; i < M.Z; i++) {
        const dx = this.zx[i] - px;
        const dy = this.zy[i] - py;
        const r = this.zr[i] + 2;
        const d = dx * dx + dy * dy;
        if (d <= r * r) {
          const q = d / (r * r);
          if (q < bestQ) { bestQ = q; best = { type: 'zone', i }; }
        }
      }
      return best;
    }
  }

  // ------------------------------------------------------------------ the page

  const dataNode = $('replay-data');
  let M;
  try {
    M = buildModel(JSON.parse(dataNode.textContent));
  } catch (err) {
    const box = el('div', 'error');
    box.append(el('b', null, 'This replay cannot be shown. '), el('span', null, err.message));
    document.body.replaceChildren(box);
    document.body.style.overflow = 'auto';
    return;
  }

  const SPEEDS = [1, 5, 15, 60];
  const wall = makeWallClock(M.meta.start_iso);
  const closures = new Closures(M);

  const S = {
    t: 0, playing: false, speed: 15, view: 'facilitator', layer: 0,
    banner: null, decision: null, decisionAuto: false, stoppedAt: null, choices: {},
    lastNow: null, scrubbing: false, autoPause: true,
  };
  const api = { frameTimes: [], workTimes: [] };

  const frameAt = (t) => Math.max(0, bisectRight(M.tS, t) - 1);

  // map layers: each hazard, then people still at home
  const layers = M.hazards.map((h, hi) => ({
    key: `h${hi}`, name: h.name, hazard: h,
    colours: [BELOW_COLOUR, ...h.colours],
    classesAt: (f) => h.cls.subarray(f * M.Z, (f + 1) * M.Z),
  }));
  if (M.home) {
    const buf = new Uint8Array(M.Z);
    layers.push({
      key: 'home', name: 'People at home', hazard: null, colours: HOME_COLOURS,
      classesAt: (f) => {
        const off = f * M.Z;
        for (let i = 0; i < M.Z; i++) buf[i] = Math.min(4, Math.floor((M.home[off + i] / 200) * 5));
        return buf;
      },
    });
  }
  if (!layers.length) {
    const zeros = new Uint8Array(M.Z);
    layers.push({ key: 'none', name: 'Zones', hazard: null, colours: [BELOW_COLOUR], classesAt: () => zeros });
  }

  const map = new MapView(M, $('map-wrap'), $('map'));
  map.reserveLeft = () => {
    const lg = $('legend');
    const det = lg.firstChild;
    return det && det.open ? lg.offsetWidth + 24 : 0;
  };

  // ---- header
  function buildHeader() {
    const meta = M.meta;
    document.title = `Tabletop replay — ${meta.name || 'drillsim run'}`;
    $('title').textContent = meta.name || 'drillsim run';
    $('title').title = meta.name || '';
    if (meta.drill_type) $('drill-type').textContent = ` · ${meta.drill_type}`;
    const box = $('meta');
    const add = (label, value, cls) => {
      const s = el('span', cls);
      if (label) s.append(el('b', null, label));
      s.append(document.createTextNode(value));
      box.append(s);
      return s;
    };
    if (wall) {
      const p = wall.parts(0);
      add('Start', `${p.date} ${p.hm}`);
    }
    add('Period', fmtDuration(M.duration));
    if (meta.seed !== undefined && meta.seed !== null) add('Run', `seed ${meta.seed}`);
    const chip = el('span', 'chip', meta.unscripted ? 'unscripted' : 'scripted');
    chip.title = meta.unscripted
      ? 'Responders acted on their own plan; injects did not steer the run'
      : 'The run followed the scripted injects';
    box.append(chip);
    if (meta.description) {
      const d = add(null, meta.description, 'desc');
      d.title = meta.description;
    }
    const ht = $('hazard-text');
    const texts = meta.hazard_text || [];
    if (!texts.length) $('hazard-brief').hidden = true;
    for (const line of texts) ht.append(el('li', null, line));
  }

  // ---- controls
  const scrubber = $('scrubber');
  function buildControls() {
    scrubber.max = String(M.duration || 1);
    $('scale-end').textContent = fmtT(M.duration);
    const sp = $('speed');
    for (const v of SPEEDS) {
      const b = el('button', null, `${v}`);
      b.type = 'button';
      b.dataset.speed = String(v);
      b.title = `${v} simulated minute${v > 1 ? 's' : ''} per second`;
      b.setAttribute('aria-pressed', String(v === S.speed));
      b.addEventListener('click', () => setSpeed(v));
      sp.append(b);
    }
    $('btn-play').addEventListener('click', () => (S.playing ? pause() : play()));
    $('btn-back').addEventListener('click', () => step(-1));
    $('btn-fwd').addEventListener('click', () => step(1));
    scrubber.addEventListener('input', () => seek(Number(scrubber.value)));
    scrubber.addEventListener('pointerdown', () => { S.scrubbing = true; });
    window.addEventListener('pointerup', () => { S.scrubbing = false; });

    // ticks under the scrubber (facilitator view): injects, decisions, objectives decided
    const ticks = $('ticks');
    const addTick = (t, cls, title, onClick) => {
      const b = el('button', `tick ${cls}`);
      b.type = 'button';
      b.tabIndex = -1;
      b.style.left = `${(100 * t) / (M.duration || 1)}%`;
      b.title = title;
      b.addEventListener('click', onClick);
      ticks.append(b);
    };
    for (const o of M.objectives) {
      const verdict = o.met ? 'met' : 'missed';
      addTick(o.decided, verdict, `${fmtT(o.decided)} objective ${verdict}: ${o.text}`,
        () => seek(o.decided));
    }
    for (const it of M.items) {
      if (it.tag === 'inject') {
        const title = `${fmtT(it.t)} inject${it.hidden ? ' (hidden)' : ''}: ${it.text}`;
        addTick(it.t, `inject${it.hidden ? ' hidden-entry' : ''}`, title,
          () => activateItem(it));
      } else if (it.decision) {
        addTick(it.t, 'decision', `${fmtT(it.t)} decision: ${it.text}`, () => activateItem(it));
      }
    }
  }

  function setSpeed(v) {
    S.speed = v;
    for (const b of $('speed').children) b.setAttribute('aria-pressed', String(Number(b.dataset.speed) === v));
  }

  function buildLayerSwitch() {
    const box = $('layer-switch');
    layers.forEach((ly, i) => {
      const b = el('button', null, ly.name);
      b.type = 'button';
      b.dataset.layer = ly.key;
      b.setAttribute('aria-pressed', String(i === S.layer));
      b.addEventListener('click', () => setLayer(i));
      box.append(b);
    });
    if (layers.length < 2) $('layer-box').hidden = true;
  }

  function setLayer(i) {
    S.layer = i;
    for (const [j, b] of [...$('layer-switch').children].entries()) b.setAttribute('aria-pressed', String(j === i));
    buildLegend();
    map.stale = true;
    refreshTooltip();
    requestRender();
  }

  function levelText(v) { return fmtNumber(v); }

  /** The range text of hazard class k (0: below the first level). */
  function classText(h, k) {
    const L = h.levels;
    if (!L.length) return k ? 'present' : 'none';
    if (k <= 0) return `below ${levelText(L[0])}`;
    if (k >= L.length) return `${levelText(L[L.length - 1])} or more`;
    return `${levelText(L[k - 1])} – ${levelText(L[k])}`;
  }

  function buildLegend() {
    const ly = layers[S.layer];
    const box = $('legend');
    const open = box.firstChild ? box.firstChild.open : true;
    const det = el('details');
    det.open = open;
    det.append(el('summary', null, 'Key'));
    det.addEventListener('toggle', () => { map.stale = true; requestRender(); });
    const title = ly.hazard ? `${ly.hazard.name}: ${ly.hazard.label}` : ly.key === 'home'
      ? 'People still at home (share of residents)' : 'Zones';
    det.append(el('div', 'ltitle', title));
    const classes = el('div', 'classes');
    const addClass = (colour, text) => {
      const sw = el('span', 'sw');
      sw.style.background = colour;
      classes.append(sw, el('span', null, text));
    };
    if (ly.hazard) {
      for (let k = ly.colours.length - 1; k >= 0; k--) addClass(ly.colours[k], classText(ly.hazard, k));
    } else if (ly.key === 'home') {
      for (let k = HOME_COLOURS.length - 1; k >= 0; k--) addClass(HOME_COLOURS[k], HOME_LABELS[k]);
    }
    det.append(classes);
    det.append(el('div', 'note', 'Circle area: residents of the zone'));

    const sym = el('div', 'symbols');
    const addSym = (cls, text, style) => {
      const s = el('span', `sym ${cls}`);
      if (style) Object.assign(s.style, style);
      sym.append(s, el('span', null, text));
    };
    addSym('sq', 'shelter <50 %', { background: LOAD.low });
    addSym('sq', 'shelter 50–90 %', { background: LOAD.mid });
    addSym('sq', 'shelter ≥90 %', { background: LOAD.high });
    addSym('sq', 'shelter closed', { background: LOAD.closed });
    const cross = el('span', 'sym');
    cross.innerHTML = '<svg viewBox="0 0 14 14">'
      + '<path d="M5 1h4v4h4v4H9v4H5V9H1V5h4z" fill="#c62828" stroke="#fff"/></svg>';
    sym.append(cross, el('span', null, 'hospital'));
    addSym('dia', 'incident (size: units)');
    addSym('road', 'road');
    addSym('bridge', 'bridge');
    addSym('line', 'road closed');
    const st = el('span', 'sym');
    st.innerHTML = '<svg viewBox="0 0 14 14"><path d="M7 2l5 9H2z" fill="#1f3a5f"/></svg>';
    sym.append(st, el('span', null, 'station / depot'));
    det.append(sym);
    if (M.teamTypes.length) {
      const tbox = el('div', 'teams');
      M.teamTypes.forEach((type, k) => {
        const s = el('span');
        const d = el('span', 'sym dot');
        d.style.background = TEAM_COLOURS[k % TEAM_COLOURS.length];
        s.append(d, document.createTextNode(String(type || 'team')));
        tbox.append(s);
      });
      det.append(tbox);
    }
    box.replaceChildren(det);
  }

  // ---- timeline
  const tlList = $('timeline');
  const tlNodes = [];
  let tlPast = 0;       // items with t <= clock (those carry no "future" class)
  let tlCurrent = -1;

  function buildTimeline() {
    for (const it of M.items) {
      const li = el('li', `tl-item tag-${it.tag} future${it.hidden ? ' hidden-entry' : ''}`);
      li.dataset.i = String(it.i);
      const b = el('button');
      b.type = 'button';
      b.append(el('span', 'tl-t', fmtT(it.t)));
      b.append(el('span', `tag ${it.tag}`, it.decision ? 'decision' : it.rawTag || 'note'));
      const text = el('span', 'tl-text', it.text);
      if (it.hidden) text.append(el('span', 'hidmark', 'hidden from players'));
      b.append(text);
      if (it.decision) {
        const played = it.decision.options.find((o) => o.played);
        const sub = el('span', 'tl-sub');
        it.subNode = sub;
        b.append(sub);
        it.playedLabel = played ? played.label : null;
      }
      b.title = wall ? `${fmtT(it.t)} · ${wall.text(it.t)}` : fmtT(it.t);
      li.append(b);
      tlNodes.push(li);
    }
    tlList.replaceChildren(...tlNodes);
    if (!tlNodes.length) tlList.append(el('li', 'tl-empty', 'No timeline entries.'));
    tlList.addEventListener('click', (ev) => {
      const li = ev.target.closest('.tl-item');
      if (li) activateItem(M.items[Number(li.dataset.i)]);
    });
    refreshDecisionSubs();
  }

  function refreshDecisionSubs() {
    for (const it of M.items) {
      if (!it.decision) continue;
      const parts = [];
      const chosen = S.choices[it.decision.id];
      if (chosen) parts.push(`room chose: ${chosen.label}`);
      if (S.view === 'facilitator' && it.playedLabel) parts.push(`as played: ${it.playedLabel}`);
      it.subNode.textContent = parts.join(' · ');
      it.subNode.hidden = !parts.length;
    }
  }

  const itemVisible = (it) => S.view === 'facilitator' || !it.hidden;

  function updateTimeline(force) {
    const past = bisectRight(M.itemT, S.t + EPS);
    if (past !== tlPast) {
      const [a, b] = past > tlPast ? [tlPast, past] : [past, tlPast];
      const fut = past < tlPast;
      for (let i = a; i < b; i++) tlNodes[i].classList.toggle('future', fut);
      tlPast = past;
      force = true;
    }
    if (!force) return;
    let cur = past - 1;
    while (cur >= 0 && !itemVisible(M.items[cur])) cur--;
    if (cur !== tlCurrent) {
      if (tlCurrent >= 0) tlNodes[tlCurrent].classList.remove('current');
      tlCurrent = cur;
      if (cur >= 0) {
        tlNodes[cur].classList.add('current');
        scrollIntoList(tlNodes[cur]);
      } else if (S.view === 'player' || past === 0) {
        tlList.scrollTop = 0;
      }
    }
    let shown = 0;
    if (S.view === 'facilitator') shown = M.items.length;
    else for (let i = 0; i < past; i++) if (!M.items[i].hidden) shown++;
    $('tl-count').textContent = S.view === 'facilitator'
      ? `${past} of ${M.items.length} reached` : `${shown} so far`;
  }

  function scrollIntoList(node) {
    const top = node.offsetTop;
    const h = node.offsetHeight;
    const view = tlList.clientHeight;
    if (top < tlList.scrollTop + 8 || top + h > tlList.scrollTop + view - 8) {
      tlList.scrollTop = Math.max(0, top - view * 0.4);
    }
  }

  function activateItem(it) {
    if (!it) return;
    pause();
    seek(it.t);
    if (it.tag === 'inject') {
      showBanner(M.items.filter((o) => o.tag === 'inject' && Math.abs(o.t - it.t) < EPS));
      S.stoppedAt = it.t;
    } else if (it.decision) {
      openDecision(it.decision, false);
      S.stoppedAt = it.t;
    }
  }

  // ---- objectives
  const objNodes = [];
  function buildObjectives() {
    const box = $('objectives');
    for (const o of M.objectives) {
      const b = el('button', 'obj pending');
      b.type = 'button';
      b.dataset.id = o.id;
      const top = el('div', 'top');
      top.append(el('span', 'cap', o.capability || 'objective'), el('span', 'pill pending', 'pending'));
      b.append(top, el('div', 'text', o.text));
      const vals = el('div', 'vals');
      b.append(vals);
      const when = el('span', 'when');
      b.title = `Jump to the moment this objective was decided (${fmtT(o.decided)})`;
      b.addEventListener('click', () => { pause(); hideBanner(); seek(o.decided); });
      box.append(b);
      objNodes.push({ o, node: b, pill: top.lastChild, vals, when, state: '' });
    }
    if (!M.objectives.length) $('objectives-box').hidden = true;
  }

  function updateObjectives(force) {
    let met = 0;
    let decided = 0;
    for (const n of objNodes) {
      const o = n.o;
      const state = S.t + EPS >= o.decided ? (o.met ? 'met' : 'missed') : 'pending';
      if (state !== 'pending') { decided++; if (state === 'met') met++; }
      if (state === n.state && !force) continue;
      n.state = state;
      n.node.className = `obj ${state}`;
      n.node.dataset.state = state;
      n.pill.className = `pill ${state}`;
      n.pill.textContent = state;
      const v = el('span');
      v.append('value ', el('b', null, state === 'pending' ? '—' : (o.value || '—')));
      const tg = el('span');
      tg.append('target ', el('b', null, o.target || '—'));
      n.vals.replaceChildren(v, tg, n.when);
      const at = o.decidedAtEnd ? 'at the end of the run' : fmtT(o.decided);
      if (state === 'pending') {
        n.when.textContent = `decided ${at}`;
        n.when.className = 'when fac';
      } else {
        n.when.textContent = `decided ${at}`;
        n.when.title = wall && !o.decidedAtEnd ? wall.text(o.decided) : '';
        n.when.className = 'when';
      }
    }
    $('obj-score').replaceChildren();
    if (objNodes.length) {
      const s = $('obj-score');
      s.append(el('b', null, `${met} met`), ` · ${decided - met} missed · ${objNodes.length - decided} pending`);
    }
  }

  // ---- inject banner
  function showBanner(items) {
    S.banner = items;
    renderBanner();
  }

  function renderBanner() {
    const items = (S.banner || []).filter(itemVisible);
    const box = $('inject-banner');
    if (!items.length) { box.hidden = true; return; }
    const body = $('inject-body');
    const t = items[0].t;
    const k = el('div', 'bk', items.length > 1 ? `${items.length} injects` : 'Inject');
    k.append(el('span', null, `${fmtT(t)}${wall ? ` · ${wall.text(t)}` : ''}`));
    body.replaceChildren(k);
    for (const it of items) {
      const p = el('p', 'inject-text', it.text);
      if (it.hidden) p.append(el('span', 'hidmark hid', 'hidden from players'));
      body.append(p);
    }
    box.hidden = false;
  }

  function hideBanner() {
    S.banner = null;
    $('inject-banner').hidden = true;
  }

  // ---- decision panel
  function openDecision(d, auto) {
    S.decision = d;
    S.decisionAuto = auto;
    renderDecision();
    $('decision').hidden = false;
    const first = $('decision-options').querySelector('.option');
    if (first) first.focus({ preventScroll: true });
  }

  function closeDecision(resume) {
    const auto = S.decisionAuto;
    S.decision = null;
    $('decision').hidden = true;
    if (resume && auto) play();
  }

  function renderDecision() {
    const d = S.decision;
    if (!d) return;
    const chosen = S.choices[d.id];
    const reveal = S.view === 'facilitator' || !!chosen;
    $('decision-when').textContent = `Decision point · ${fmtT(d.at)}${wall ? ` · ${wall.text(d.at)}` : ''}`;
    $('decision-q').textContent = d.question;
    $('decision-lead').textContent = chosen
      ? 'The room chose the highlighted option. Each column shows how the objectives came out under that option.'
      : 'Choose the option the room agrees on.';
    const opts = $('decision-options');
    opts.replaceChildren();
    for (const o of d.options) {
      const b = el('button', `option${chosen && chosen.id === o.id ? ' chosen' : ''}`);
      b.type = 'button';
      b.dataset.option = o.id;
      b.append(el('span', 'olabel', o.label));
      const tags = el('span', 'otags');
      if (chosen && chosen.id === o.id) tags.append(el('span', 'badge chosen', "room's choice"));
      if (reveal && o.played) tags.append(el('span', 'badge played', 'as played'));
      b.append(tags);
      b.addEventListener('click', () => {
        S.choices[d.id] = o;
        renderDecision();
        refreshDecisionSubs();
        const again = $('decision-options').querySelector(`[data-option="${CSS.escape(o.id)}"]`);
        if (again) again.focus({ preventScroll: true });
      });
      opts.append(b);
    }
    const out = $('decision-outcomes');
    out.replaceChildren();
    if (!reveal) {
      out.append(el('div', 'hint', 'Outcomes stay hidden until the room has chosen.'));
    } else {
      out.append(outcomeTable(d, chosen));
    }
    $('decision-note').textContent = reveal
      ? 'Outcomes of each option come from separate runs of the same scenario.'
      : '';
  }

  function outcomeTable(d, chosen) {
    const ids = [];
    const seen = new Set();
    for (const o of M.objectives) {
      if (d.options.some((op) => op.objectives.has(o.id))) { ids.push(o.id); seen.add(o.id); }
    }
    for (const op of d.options) {
      for (const id of op.objectives.keys()) if (!seen.has(id)) { ids.push(id); seen.add(id); }
    }
    const byId = new Map(M.objectives.map((o) => [o.id, o]));
    const table = el('table', 'outcomes');
    const colCls = (op) => `${op.played ? 'col-played' : ''}${chosen && chosen.id === op.id ? ' col-chosen' : ''}`;
    const hr = el('tr');
    hr.append(el('th', null, 'Objective'));
    for (const op of d.options) {
      const th = el('th', colCls(op), op.label);
      th.dataset.option = op.id;
      if (op.played) th.append(el('span', 'badge played', 'as played'));
      if (chosen && chosen.id === op.id) th.append(el('span', 'badge chosen', "room's choice"));
      hr.append(th);
    }
    const thead = el('thead');
    thead.append(hr);
    const tbody = el('tbody');
    const metCount = d.options.map(() => 0);
    for (const id of ids) {
      const tr = el('tr');
      const o = byId.get(id);
      const name = el('td', 'objname', o ? o.text : id);
      if (o && o.target) name.append(el('small', null, `target ${o.target}`));
      tr.append(name);
      d.options.forEach((op, k) => {
        const r = op.objectives.get(id);
        const td = el('td', `cell ${colCls(op)}`);
        if (!r) td.append(el('span', 'muted', '—'));
        else {
          if (r.met) metCount[k]++;
          td.append(el('span', `pill ${r.met ? 'met' : 'missed'}`, r.met ? 'met' : 'missed'));
          if (r.value !== undefined && r.value !== null && r.value !== '') td.append(el('span', 'v', String(r.value)));
          td.dataset.state = r.met ? 'met' : 'missed';
        }
        tr.append(td);
      });
      tbody.append(tr);
    }
    const tfoot = el('tfoot');
    const fr = el('tr');
    fr.append(el('td', null, 'Objectives met'));
    d.options.forEach((op, k) => fr.append(el('td', `cell ${colCls(op)}`, `${metCount[k]} of ${ids.length}`)));
    tfoot.append(fr);
    table.append(thead, tbody, tfoot);
    return table;
  }

  // ---- view
  function setView(v, fromHash) {
    if (v !== 'player' && v !== 'facilitator') return;
    S.view = v;
    document.body.classList.toggle('view-player', v === 'player');
    document.body.classList.toggle('view-facilitator', v === 'facilitator');
    $('view-facilitator').setAttribute('aria-pressed', String(v === 'facilitator'));
    $('view-player').setAttribute('aria-pressed', String(v === 'player'));
    const label = $('view-label');
    label.replaceChildren(v === 'player' ? 'Player view' : 'Facilitator view');
    label.append(el('small', null, v === 'player' ? 'safe to show the room' : 'hidden material shown'));
    if (!fromHash && location.hash !== `#${v}`) history.replaceState(null, '', `#${v}`);
    refreshDecisionSubs();
    tlCurrent = -2;          // re-mark and re-scroll the current entry for the new view
    for (const n of tlNodes) n.classList.remove('current');
    updateTimeline(true);
    renderBanner();
    renderDecision();
  }

  function viewFromHash() {
    const h = location.hash.replace('#', '');
    return h === 'player' || h === 'facilitator' ? h : null;
  }

  // ---- tooltip
  let mouse = null;
  function refreshTooltip() {
    const tip = $('tooltip');
    if (!mouse) { tip.hidden = true; if (map.hover) { map.hover = null; requestRender(); } return; }
    const hit = map.hit(mouse.x, mouse.y);
    const was = map.hover;
    const changed = (hit && hit.type) !== (was && was.type) || (hit && hit.i) !== (was && was.i);
    map.hover = hit;
    if (changed) requestRender();
    if (!hit) { tip.hidden = true; return; }
    const f = frameAt(S.t);
    const lines = [];
    const line = (k, v, hl) => {
      const d = el('div');
      if (k) d.append(el('span', 'k', `${k}: `));
      d.append(el('span', hl ? 'hl' : null, v));
      lines.push(d);
    };
    const head = el('div');
    if (hit.type === 'zone') {
      const i = hit.i;
      head.append(el('b', null, String(M.zones.name[i] ?? M.zones.id[i])));
      lines.push(head);
      line('Residents', fmtInt(M.zones.pop[i]));
      const cur = layers[S.layer];
      for (const ly of layers) {
        if (ly.hazard) {
          const k = ly.hazard.cls[f * M.Z + i];
          line(ly.hazard.label || ly.hazard.name, classText(ly.hazard, k), ly === cur);
        } else if (ly.key === 'home') {
          const share = Math.min(M.home[f * M.Z + i] / 200, 1);
          line('Still at home', `${fmtPct(share)} (≈ ${fmtInt(share * M.zones.pop[i])})`, ly === cur);
        }
      }
    } else {
      const i = hit.i;
      const kind = M.fac.kind[i];
      head.append(el('b', null, String(M.fac.name[i] ?? M.fac.id[i])));
      lines.push(head);
      const b = M.load ? M.load[f * M.F + i] : 0;
      const cap = M.fac.capacity[i];
      if (kind === 'shelter') {
        line(null, `Shelter · capacity ${fmtInt(cap)}`);
        if (b === 255) line('Status', 'closed', true);
        else line('Occupancy', `${fmtPct(b / 200)} (≈ ${fmtInt((b / 200) * cap)} people)`, true);
      } else {
        line(null, `${capital(kind)}${kind === 'hospital' && cap ? ` · ${fmtInt(cap)} beds` : ''}`);
        line('Status', b === 255 ? 'closed' : 'open', true);
      }
    }
    tip.replaceChildren(...lines);
    tip.hidden = false;
    const wrap = $('map-wrap');
    const tw = tip.offsetWidth;
    const th = tip.offsetHeight;
    let x = mouse.x + 14;
    let y = mouse.y + 14;
    if (x + tw > wrap.clientWidth - 4) x = mouse.x - tw - 12;
    if (y + th > wrap.clientHeight - 4) y = mouse.y - th - 12;
    tip.style.left = `${Math.max(4, x)}px`;
    tip.style.top = `${Math.max(4, y)}px`;
  }

  // ---- clock
  let lastClockText = '';
  let lastFrameShown = -1;
  function updateClock(f) {
    const text = fmtT(S.t);
    if (text !== lastClockText) {
      lastClockText = text;
      $('clock-t').textContent = text;
      const w = $('clock-wall');
      if (wall) {
        const p = wall.parts(S.t);
        w.replaceChildren(el('b', null, `Day ${p.day} ${p.hm}`), ` · ${p.date}`);
      } else w.textContent = 'no start time given';
    }
    if (!S.scrubbing || !S.playing) {
      scrubber.value = String(S.t);
    }
    scrubber.style.setProperty('--done', `${(100 * S.t) / (M.duration || 1)}%`);
    if (f !== lastFrameShown) {
      lastFrameShown = f;
      $('frameinfo').textContent = `frame ${f + 1} of ${M.T}`;
    }
  }

  // ------------------------------------------------------------------ time and play

  /** Pause points in (a, b] for the current view: injects it shows, and decisions. */
  function firstStopIn(a, b) {
    let i = bisectRight(M.itemT, a + EPS);
    for (; i < M.items.length && M.itemT[i] <= b + EPS; i++) {
      const it = M.items[i];
      if ((it.tag === 'inject' && itemVisible(it)) || it.decision) return it.t;
    }
    return null;
  }

  /** Show what happens at exactly t: the banner for its injects, the panel for a decision. */
  function fireAt(t) {
    const here = M.items.filter((it) => Math.abs(it.t - t) < EPS);
    const injects = here.filter((it) => it.tag === 'inject' && itemVisible(it));
    const dec = here.find((it) => it.decision);
    if (injects.length) showBanner(injects);
    if (dec) openDecision(dec.decision, true);
    S.stoppedAt = t;
    return injects.length > 0 || !!dec;
  }

  function seek(t) {
    const nt = clamp(num(t, 0), 0, M.duration);
    if (Math.abs(nt - S.t) > EPS) {
      S.stoppedAt = null;
      if (S.banner && !S.banner.some((it) => Math.abs(it.t - nt) < EPS)) hideBanner();
    }
    S.t = nt;
    renderPanels(frameAt(nt));
    requestRender();
  }

  function play() {
    if (S.playing) return;
    if (S.t >= M.duration - EPS) seek(0);
    hideBanner();
    if (S.decision) closeDecision(false);
    // an inject or decision exactly at the clock that has not been shown yet (e.g. at T+0)
    if (S.stoppedAt === null || Math.abs(S.stoppedAt - S.t) > EPS) {
      const atNow = M.items.some((it) => Math.abs(it.t - S.t) < EPS
        && ((it.tag === 'inject' && itemVisible(it)) || it.decision));
      if (atNow && fireAt(S.t)) { requestRender(); return; }
    }
    S.playing = true;
    S.lastNow = null;
    updatePlayButton();
    requestRender();
  }

  function pause() {
    if (!S.playing) return;
    S.playing = false;
    S.lastNow = null;
    updatePlayButton();
    requestRender();
  }

  function updatePlayButton() {
    const b = $('btn-play');
    b.classList.toggle('playing', S.playing);
    b.setAttribute('aria-label', S.playing ? 'Pause' : 'Play');
    b.title = S.playing ? 'Pause (space)' : 'Play (space)';
    $('icon-play').toggleAttribute('hidden', S.playing);
    $('icon-pause').toggleAttribute('hidden', !S.playing);
  }

  function step(dir) {
    pause();
    const f = frameAt(S.t);
    const prev = S.t;
    let t;
    if (dir > 0) t = f + 1 < M.T ? M.tS[f + 1] : M.duration;
    else t = S.t > M.tS[f] + EPS ? M.tS[f] : (f > 0 ? M.tS[f - 1] : 0);
    hideBanner();
    seek(t);
    if (dir > 0 && t > prev) {
      const stop = firstStopIn(prev, t);
      if (stop !== null) {
        fireAt(stop);
        S.decisionAuto = false;
      }
    }
  }

  function advance(dtMs) {
    const prev = S.t;
    const next = prev + (dtMs / 1000) * S.speed * 60;
    const stop = S.autoPause ? firstStopIn(prev, Math.min(next, M.duration)) : null;
    if (stop !== null) {
      S.t = stop;
      pause();
      fireAt(stop);
    } else if (next >= M.duration) {
      S.t = M.duration;
      pause();
    } else {
      S.t = next;
    }
  }

  // ------------------------------------------------------------------ rendering loop

  let rafId = 0;
  function requestRender() {
    if (!rafId) rafId = requestAnimationFrame(onFrame);
  }

  function onFrame(now) {
    rafId = 0;
    const t0 = performance.now();
    const wasPlaying = S.playing;
    if (S.playing) {
      if (S.lastNow !== null) {
        const dt = now - S.lastNow;
        api.frameTimes.push(dt);
        advance(Math.min(dt, 250));
      }
      S.lastNow = now;
    }
    render();
    if (wasPlaying) api.workTimes.push(performance.now() - t0);
    if (S.playing) requestRender();
  }

  let lastTipFrame = -1;
  let lastStats = '';

  function render() {
    if (map.resize()) refreshTooltipSoon();
    const f = frameAt(S.t);
    const applied = closures.moveTo(S.t);
    map.drawFrame(f, layers[S.layer], closures, applied);
    map.draw(S.t);
    const stats = `${map.openIncidents}|${map.teamsOnMap}|${map.roadsClosed}`;
    if (stats !== lastStats) {
      lastStats = stats;
      const box = $('map-stats');
      const item = (n, what) => {
        const s = el('span');
        s.append(el('b', null, fmtInt(n)), ` ${what}`);
        return s;
      };
      const plural = (n, one, many) => (n === 1 ? one : many);
      box.replaceChildren(
        item(map.openIncidents, plural(map.openIncidents, 'incident open', 'incidents open')),
        item(map.teamsOnMap, plural(map.teamsOnMap, 'team out', 'teams out')),
        item(map.roadsClosed, plural(map.roadsClosed, 'road closed', 'roads closed')));
    }
    renderPanels(f);
  }

  /** Clock, timeline and tiles: also right after a seek, so they never lag a user's action. */
  function renderPanels(f) {
    updateClock(f);
    updateTimeline(false);
    updateObjectives(false);
    if (mouse && f !== lastTipFrame) { lastTipFrame = f; refreshTooltip(); }
  }

  let tipPending = false;
  function refreshTooltipSoon() {
    if (tipPending) return;
    tipPending = true;
    requestAnimationFrame(() => { tipPending = false; refreshTooltip(); });
  }

  // ------------------------------------------------------------------ wiring

  function onKey(ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const tg = ev.target;
    const typing = tg && (tg.tagName === 'TEXTAREA' || tg.tagName === 'SELECT'
      || (tg.tagName === 'INPUT' && tg.type !== 'range'));
    if (typing) return;
    const modal = !$('decision').hidden;
    if (ev.key === 'Escape') {
      if (modal) closeDecision(false); else hideBanner();
      ev.preventDefault();
      return;
    }
    if (modal && ev.key !== ' ') return;
    if (ev.key === ' ' || ev.code === 'Space') {
      if (modal && tg && tg.closest && tg.closest('.dialog')) return;   // buttons in the panel
      ev.preventDefault();
      if (S.playing) pause(); else play();
    } else if (ev.key === 'ArrowLeft') {
      ev.preventDefault(); step(-1);
    } else if (ev.key === 'ArrowRight') {
      ev.preventDefault(); step(1);
    }
  }

  function wire() {
    document.addEventListener('keydown', onKey, true);
    // space on a focused control must not also "click" it after the shortcut ran
    document.addEventListener('keyup', (ev) => {
      const inPanel = ev.target.closest && ev.target.closest('.dialog');
      if ((ev.key === ' ' || ev.code === 'Space') && !inPanel) ev.preventDefault();
    }, true);
    $('view-facilitator').addEventListener('click', () => setView('facilitator'));
    $('view-player').addEventListener('click', () => setView('player'));
    window.addEventListener('hashchange', () => { const v = viewFromHash(); if (v) setView(v, true); });
    $('inject-resume').addEventListener('click', () => play());
    $('inject-close').addEventListener('click', () => hideBanner());
    $('decision-continue').addEventListener('click', () => closeDecision(true));
    $('decision').addEventListener('click', (ev) => { if (ev.target === $('decision')) closeDecision(false); });

    const canvas = $('map');
    let moveQueued = false;
    canvas.addEventListener('mousemove', (ev) => {
      const r = canvas.getBoundingClientRect();
      mouse = { x: ev.clientX - r.left, y: ev.clientY - r.top };
      if (moveQueued) return;
      moveQueued = true;
      requestAnimationFrame(() => { moveQueued = false; refreshTooltip(); });
    });
    canvas.addEventListener('mouseleave', () => { mouse = null; refreshTooltip(); });

    const ro = new ResizeObserver(() => requestRender());
    ro.observe($('map-wrap'));
    window.addEventListener('resize', () => requestRender());
  }

  buildHeader();
  buildControls();
  buildLayerSwitch();
  buildLegend();
  buildTimeline();
  buildObjectives();
  wire();
  setView(viewFromHash() || 'facilitator', true);
  updatePlayButton();
  updateObjectives(true);
  requestRender();

  // ------------------------------------------------------------------ test and automation hooks

  api.state = () => ({ t_s: S.t, playing: S.playing, view: S.view, frame: frameAt(S.t), speed: S.speed });
  api.seek = (t) => { seek(t); render(); };
  api.play = () => play();
  api.pause = () => pause();
  api.setSpeed = (v) => setSpeed(Number(v));
  api.setView = (v) => setView(v);
  /** Whether play stops at injects and decision points (on by default). */
  api.setAutoPause = (on) => { S.autoPause = !!on; };
  /** Canvas position (css px from its top left) of a point of the region (m). */
  api.project = (x, y) => { if (!map.sx) render(); return { x: map.sx(x), y: map.sy(y) }; };
  window.__replay = api;
})();
