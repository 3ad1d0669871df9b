// The explorer page's logic: read the packed data, keep the state in the address, draw.
// optimlab.plotting.explorer_html inlines it in the page (fetch() fails under file://).
(function () {
  var D = JSON.parse(document.getElementById('ox-data').textContent);
  var NAMES = D.names, form = document.getElementById('ox-form');
  var curves = document.getElementById('ox-curves'), heat = document.getElementById('ox-heat');
  var status = document.getElementById('ox-status');
  var COLOURS = ['#0072b2', '#009e73', '#e69f00', '#cc79a7', '#56b4e9', '#8c564b', '#7f7f7f',
                 '#bcbd22'];
  var CURRENT = '#d62728';
  var GRID = 'rgba(128, 128, 128, 0.3)';  // visible on light and dark pages
  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }
  var state = {world: 'raw', values: D.defaults.slice(), each: false, log: false, pins: []};
  var epochs = []; for (var e = 1; e <= D.epochs; e++) epochs.push(e);
  var yard = D.yardstickMedian;

  function key(values) { return values.join('_'); }
  function entry(world, k) { return D.worlds[world][k]; }
  function label(world, values) {
    var parts = [];
    for (var i = 0; i < NAMES.length; i++) {
      if (values[i] !== D.defaults[i]) parts.push(D.words[i] + ' ' + values[i]);
    }
    return (world === 'raw' ? 'raw' : 'standardised') + ', ' +
           (parts.length ? parts.join(', ') : 'defaults');
  }
  function pinId(world, values) { return world + ':' + key(values); }
  function parsePin(text) {
    var at = text.indexOf(':'), world = text.slice(0, at), values = text.slice(at + 1).split('_');
    if (!D.worlds[world] || values.length !== NAMES.length) return null;
    if (!entry(world, key(values))) return null;
    return {world: world, values: values};
  }

  function toAddress() {
    var parts = ['world=' + state.world];
    for (var i = 0; i < NAMES.length; i++) parts.push(NAMES[i] + '=' + state.values[i]);
    if (state.each) parts.push('each=1');
    if (state.log) parts.push('log=1');
    state.pins.forEach(function (p) { parts.push('pin=' + pinId(p.world, p.values)); });
    var hash = '#' + parts.join('&');
    if (location.hash === hash) return;
    try { history.replaceState(null, '', hash); } catch (err) { location.replace(hash); }
  }
  function fromAddress() {
    var problems = [];
    state = {world: 'raw', values: D.defaults.slice(), each: false, log: false, pins: []};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      if (!part) return;
      var at = part.indexOf('='), name = decodeURIComponent(part.slice(0, at)),
          value = decodeURIComponent(part.slice(at + 1));
      var i = NAMES.indexOf(name);
      if (name === 'world') {
        if (D.worlds[value]) state.world = value; else problems.push('inputs ' + value);
      } else if (i >= 0) {
        if (D.axes[i].indexOf(value) >= 0) state.values[i] = value;
        else problems.push(D.labels[i] + ' ' + value);
      } else if (name === 'each' || name === 'log') {
        state[name] = value === '1';
      } else if (name === 'pin') {
        var pin = parsePin(value);
        if (pin) state.pins.push(pin); else problems.push('pinned curve ' + value);
      }
    });
    return problems;
  }
  function toForm() {
    form.elements.world.value = state.world;
    for (var i = 0; i < NAMES.length; i++) form.elements[NAMES[i]].value = state.values[i];
    form.elements.each.checked = state.each;
    form.elements.log.checked = state.log;
  }
  function fromForm() {
    state.world = form.elements.world.value;
    state.values = NAMES.map(function (name) { return form.elements[name].value; });
    state.each = form.elements.each.checked;
    state.log = form.elements.log.checked;
  }

  function line(y, colour, meta, extra) {
    var trace = {x: epochs, y: y, mode: 'lines', line: {color: colour, width: 2.5},
                 meta: meta, name: meta.label, hovertemplate: 'epoch %{x}: %{y}<extra>' +
                 meta.label + '</extra>'};
    for (var k in extra) trace[k] = extra[k];
    return trace;
  }
  function band(item, colour, meta) {
    return [
      line(item.low, colour, {role: 'low', key: meta.key, label: meta.label},
           {line: {width: 0, color: colour}, showlegend: false, hoverinfo: 'skip'}),
      line(item.high, colour, {role: 'high', key: meta.key, label: meta.label},
           {line: {width: 0, color: colour}, fill: 'tonexty', fillcolor: rgba(colour, 0.2),
            showlegend: false, hoverinfo: 'skip'})
    ];
  }
  function traces(item, world, values, colour, each) {
    var meta = {key: pinId(world, values), label: label(world, values)};
    var out = band(item, colour, meta);
    if (each) {
      item.seeds.forEach(function (y, s) {
        out.push(line(y, colour, {role: 'seed', seed: D.seeds[s], key: meta.key,
                                  label: meta.label + ', seed ' + D.seeds[s]},
                      {line: {color: colour, width: 0.8}, opacity: 0.6, showlegend: false}));
      });
    }
    out.push(line(item.median, colour, {role: 'median', key: meta.key, label: meta.label}, {}));
    return out;
  }

  function differing(values) {
    var out = [];
    for (var i = 0; i < NAMES.length; i++) {
      if (values[i] !== D.defaults[i]) out.push(D.words[i] + ' ' + values[i]);
    }
    return out;
  }
  function drawCurves(announce) {
    var current = entry(state.world, key(state.values));
    var data = [];
    state.pins.forEach(function (p, n) {
      data = data.concat(traces(entry(p.world, key(p.values)), p.world, p.values,
                                COLOURS[n % COLOURS.length], false));
    });
    var words;
    if (current) {
      data = data.concat(traces(current, state.world, state.values, CURRENT, state.each));
      var last = current.median[current.median.length - 1];
      words = 'Shown: ' + label(state.world, state.values) + '. Median validation RMSE after ' +
              D.epochs + ' epochs ' + last + ' (yardstick ' + yard + '), over ' +
              D.seeds.length + ' seeds.';
      document.getElementById('ox-code').textContent =
          D.code[state.world].replace(/\{(\w+)\}/g, function (m, name) {
            var i = NAMES.indexOf(name);
            return D.source[i][D.axes[i].indexOf(state.values[i])];
          });
    } else {
      words = 'This combination was not run: ' + differing(state.values).join(' with ') +
              '. The explorer ran each setting alone, the others at their defaults, and ' +
              'the grids ' + D.gridWords + '; change one setting back to see curves.';
      document.getElementById('ox-code').textContent = '# ' + words;
    }
    data.push({x: [1, D.epochs], y: [yard, yard], mode: 'lines', name: 'yardstick (median)',
               line: {color: '#888', dash: 'dash', width: 1.5}, meta: {role: 'yardstick'},
               hovertemplate: 'yardstick, median over seeds: %{y}<extra></extra>'});
    var layout = {
      margin: {l: 50, r: 10, t: 10, b: 45}, showlegend: false, dragmode: false,
      xaxis: {title: {text: 'Epoch'}, fixedrange: true, gridcolor: GRID, zerolinecolor: GRID},
      yaxis: {title: {text: 'Validation RMSE'}, fixedrange: true,
              type: state.log ? 'log' : 'linear', rangemode: state.log ? 'normal' : 'tozero',
              gridcolor: GRID, zerolinecolor: GRID},
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: {color: getComputedStyle(document.body).color}
    };
    Plotly.react(curves, data, layout, {displayModeBar: false, responsive: true});
    curves.setAttribute('aria-label', 'Line plot of validation RMSE per epoch. ' + words +
                        (state.pins.length ? ' Pinned: ' + state.pins.map(function (p) {
                          return label(p.world, p.values); }).join('; ') + '.' : ''));
    curves.setAttribute('data-shown', current ? pinId(state.world, state.values) : '');
    status.textContent = words;
    document.getElementById('ox-pin').disabled = !current;
    drawPins();
  }
  function drawPins() {
    var list = document.getElementById('ox-pinned');
    list.textContent = '';
    document.getElementById('ox-pinned-box').hidden = state.pins.length === 0;
    state.pins.forEach(function (p, n) {
      var li = document.createElement('li'), swatch = document.createElement('span');
      swatch.className = 'ox-swatch';
      swatch.style.background = COLOURS[n % COLOURS.length];
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(label(p.world, p.values) + ' '));
      var again = document.createElement('button');
      again.type = 'button';
      again.textContent = 'Show';
      again.setAttribute('aria-label', 'Show the pinned curve ' + label(p.world, p.values) +
                         ' with its call');
      again.addEventListener('click', function () {
        state.world = p.world; state.values = p.values.slice(); toForm(); update(true);
      });
      li.appendChild(again);
      li.appendChild(document.createTextNode(' '));
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', 'Remove the pinned curve ' + label(p.world, p.values));
      remove.addEventListener('click', function () {
        state.pins.splice(n, 1); update(true);
      });
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  function drawHeat() {
    var g = D.grids[Number(document.getElementById('ox-grid').value)];
    var stat = document.getElementById('ox-stat').value;
    var a = NAMES.indexOf(g.settings[0]), b = NAMES.indexOf(g.settings[1]);
    var z = [], text = [], narrow = heat.clientWidth < 560;  // a phone: shorter labels
    g.values[0].forEach(function (va) {
      var row = [], words = [];
      g.values[1].forEach(function (vb) {
        var values = D.defaults.slice(); values[a] = va; values[b] = vb;
        var v = entry(state.world, key(values))[stat];
        row.push(v);
        words.push(v === null ? 'diverged' : narrow ? v.toPrecision(3) : String(v));
      });
      z.push(row); text.push(words);
    });
    var x = g.values[1].map(String), y = g.values[0].map(String);
    var selected = [], shapes = [];
    var sa = g.values[0].indexOf(state.values[a]), sb = g.values[1].indexOf(state.values[b]);
    var others = state.values.every(function (v, i) {
      return i === a || i === b || v === D.defaults[i]; });
    if (sa >= 0 && sb >= 0 && others) {
      shapes.push({type: 'rect', xref: 'x', yref: 'y', x0: sb - 0.5, x1: sb + 0.5,
                   y0: sa - 0.5, y1: sa + 0.5, line: {color: '#d62728', width: 3}});
    }
    var data = [{type: 'heatmap', x: x, y: y, z: z, text: text, texttemplate: '%{text}',
                 textfont: {size: narrow ? 10 : 11},
                 colorscale: 'Viridis', reversescale: true, xgap: 1, ygap: 1,
                 colorbar: {title: {text: 'RMSE', side: 'right'}, thickness: narrow ? 8 : 12},
                 hovertemplate: D.labels[a] + ' %{y}, ' + D.labels[b] +
                   ' %{x}: %{z:.4g}<extra></extra>'}];
    var layout = {
      margin: {l: 60, r: 10, t: 10, b: 50}, dragmode: false, shapes: shapes,
      xaxis: {title: {text: D.labels[b]}, type: 'category', fixedrange: true},
      yaxis: {title: {text: D.labels[a]}, type: 'category', fixedrange: true},
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: {color: getComputedStyle(document.body).color}
    };
    Plotly.react(heat, data, layout, {displayModeBar: false, responsive: true});
    var words = 'Heat map of the median ' + (stat === 'final' ? 'final' : 'best') +
                ' validation RMSE over ' + D.seeds.length + ' seeds, ' +
                (state.world === 'raw' ? 'raw' : 'standardised') + ' inputs, ' +
                D.labels[a] + ' (rows) by ' + D.labels[b] + ' (columns); yardstick ' + yard +
                '. Lowest: ' + lowest(z, y, x) + '.';
    heat.setAttribute('aria-label', words);
    heat.setAttribute('data-grid', g.settings.join(','));
    heat.dataset.stat = stat;
  }
  function lowest(z, y, x) {
    var best = null, where = '';
    z.forEach(function (row, i) { row.forEach(function (v, j) {
      if (v !== null && (best === null || v < best)) { best = v; where = y[i] + ', ' + x[j]; }
    }); });
    return best === null ? 'none' : best + ' at ' + where;
  }

  function update(announce) { drawCurves(announce); drawHeat(); toAddress(); }
  form.addEventListener('change', function () { fromForm(); update(true); });
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  document.getElementById('ox-grid-form').addEventListener('change', function () {
    drawHeat(); });
  document.getElementById('ox-pin').addEventListener('click', function () {
    var id = pinId(state.world, state.values);
    if (!entry(state.world, key(state.values))) return;
    if (!state.pins.some(function (p) { return pinId(p.world, p.values) === id; })) {
      state.pins.push({world: state.world, values: state.values.slice()});
    }
    update(true);
  });
  document.getElementById('ox-defaults').addEventListener('click', function () {
    state.values = D.defaults.slice(); toForm(); update(true);
  });
  document.getElementById('ox-clear').addEventListener('click', function () {
    state.pins = []; update(true);
  });
  function wireHeat() {
    heat.on('plotly_click', function (event) {
      var point = event.points[0], g = D.grids[Number(document.getElementById('ox-grid').value)];
      state.values = D.defaults.slice();
      state.values[NAMES.indexOf(g.settings[0])] = String(point.y);
      state.values[NAMES.indexOf(g.settings[1])] = String(point.x);
      toForm(); update(true);
      curves.scrollIntoView({block: 'nearest'});
    });
  }
  var wasNarrow = heat.clientWidth < 560;
  window.addEventListener('resize', function () {
    if ((heat.clientWidth < 560) !== wasNarrow) { wasNarrow = !wasNarrow; drawHeat(); }
  });
  window.addEventListener('hashchange', function () {
    fromAddress(); toForm(); drawCurves(false); drawHeat();
  });
  var problems = fromAddress();
  toForm();
  drawCurves(false);
  drawHeat();
  wireHeat();
  if (problems.length) {
    status.textContent = 'The address names what was not run: ' + problems.join(', ') +
                         '; shown instead: ' + label(state.world, state.values) + '.';
  }
  curves.optimlabExplorer = D;
})();
