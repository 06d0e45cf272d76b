#!/usr/bin/gjs
/* Open EPUBs as Foliate does, and report what its engine rendered.

   Usage (under an X server; tests/test_foliate.py runs it under Xvfb):
       gjs tests/foliate_probe.js JOB.json

   JOB.json: {"foliate": "/usr/share/com.github.johnfactotum.Foliate", "width": 1000,
              "height": 800, "timeout": 40,
              "books": [{"epub": "/abs/book.epub", "href": "chapters/china-position.xhtml",
                         "json": "/abs/out.json", "png": "/abs/out.png"}, ...]}

   Foliate 2 is a GJS program around a WebKit2 WebView: it loads its own viewer page
   (assets/epub-viewer.html), runs its own scripts from its gresource (its build of epub.js and
   JSZip, then epub-viewer.js) and drives them with the calls of its epubView.js: open() with
   the 'auto' layout (paginated, up to two columns), render(), setStyle() with the user's
   settings, setupRendition(), display(). This script does the same with the installed
   Foliate's files and its default settings (read from its GSettings schema), then goes to a
   chapter as its table of contents does (rendition.display(href)) and writes, for each book,
   a JSON of the layout (computed styles, the rect of every character of the chapter's running
   paragraphs, of the 縦中横 spans and of the boxes, in the WebView's pixels) and a snapshot of
   the WebView (PNG) in which those rects can be looked up. */

imports.gi.versions.Gtk = '3.0';
imports.gi.versions.WebKit2 = '4.0';
const { Gio, GLib, Gtk, WebKit2 } = imports.gi;

const ByteArray = imports.byteArray;

const [jobPath] = ARGV;
const job = JSON.parse(ByteArray.toString(GLib.file_get_contents(jobPath)[1]));
const FOLIATE = job.foliate;
const APP_ID = 'com.github.johnfactotum.Foliate';
const RESOURCE = `/com/github/johnfactotum/${APP_ID.split('.').pop()}/web/`;

Gio.Resource.load(`${FOLIATE}/${APP_ID}.data.gresource`)._register();
try {
    Gio.resources_get_info(`${RESOURCE}epub-viewer.js`, Gio.ResourceLookupFlags.NONE);
} catch (e) {
    printerr(`foliate_probe: ${FOLIATE} has no ${RESOURCE}epub-viewer.js: this probe drives the ` +
        'viewer of Foliate 2 (epub.js on WebKit2GTK 4.0, Debian 12\'s foliate 2.6)');
    imports.system.exit(2);
}
Gtk.init(null);

// Foliate's default view settings, from its schema (GSETTINGS_BACKEND=memory: no user's).
const defaults = (() => {
    const source = Gio.SettingsSchemaSource.get_default();
    const schema = source.lookup(`${APP_ID}.view`, true);
    if (!schema) throw new Error(`the GSettings schema ${APP_ID}.view is not installed`);
    const settings = new Gio.Settings({ settings_schema: schema });
    const get = key => settings.get_value(key).deep_unpack();
    return Object.fromEntries(schema.list_keys().map(key => [key, get(key)]));
})();

// epubView.js `layouts.auto`, the default layout.
const LAYOUT = { width: '100%', flow: 'paginated', maxSpreadColumns: 2 };

// epubView.js _applyStyle(), with the default settings.
const style = () => {
    const match = /^(.*?)\s+(\d+(?:\.\d+)?)$/.exec(defaults.font);
    const fontFamily = match ? match[1] : defaults.font;
    const fontSize = (match ? Number(match[2]) : 12) / 0.75;
    return {
        fontFamily, fontSize, fontWeight: 400, fontStyle: 'normal', fontStretch: 'normal',
        spacing: defaults.spacing,
        margin: defaults.margin,
        maxWidth: defaults['max-width'],
        usePublisherFont: defaults['use-publisher-font'],
        justify: defaults.justify,
        hyphenate: defaults.hyphenate,
        fgColor: defaults['fg-color'],
        bgColor: defaults['bg-color'],
        linkColor: defaults['link-color'],
        invert: defaults.invert,
        brightness: defaults.brightness,
        skeuomorphism: defaults.skeuomorphism,
        ibooksInternalTheme: 'White',
    };
};

// What the page reports: runs in Foliate's viewer page, where `book` and `rendition` live.
const MEASURE = `(async () => {
    const href = HREF;
    const section = book.spine.get(href);
    const contents = rendition.getContents().find(c => c.sectionIndex === section.index);
    if (!contents) return { error: 'the chapter is not displayed', location: rendition.location };
    const doc = contents.document, win = contents.window;
    await doc.fonts.ready;
    await new Promise(r => win.requestAnimationFrame(() => win.requestAnimationFrame(r)));
    const frame = win.frameElement.getBoundingClientRect();
    const box = r => [r.left + frame.left, r.top + frame.top, r.width, r.height];
    const rects = node => [...node.getClientRects()].filter(r => r.width > 0 && r.height > 0).map(box);
    const css = el => { const s = win.getComputedStyle(el);
        return { writingMode: s.writingMode || s.webkitWritingMode, direction: s.direction,
                 fontFamily: s.fontFamily, fontSize: parseFloat(s.fontSize),
                 fontFeatureSettings: s.fontFeatureSettings,
                 textOrientation: s.textOrientation || s.webkitTextOrientation }; };
    // The glyphs whose ink the tests look at (punctuation, ー, brackets, numbers): each
    // gets an isolation pass, 0 or 1 in turn, so that two marks side by side are never drawn
    // in the same pass (ISOLATE).
    const MARKS = '、。，ー「」';
    const passes = [[], []];
    let marks = 0;
    const isolate = range => { const pass = marks++ % 2; passes[pass].push(range); return pass; };
    const characters = p => {
        const out = [];
        const walker = doc.createTreeWalker(p, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            let offset = 0;
            for (const c of node.data) {
                const range = doc.createRange();
                range.setStart(node, offset);
                range.setEnd(node, offset + c.length);
                offset += c.length;
                if (!c.trim()) continue;
                const tcy = node.parentElement.closest('.tcy');
                const upright = node.parentElement.closest('.upright');
                const mark = MARKS.includes(c) || upright ||
                    (tcy && node === tcy.firstChild && offset === c.length);
                const entry = { c, rects: rects(range), tcy: Boolean(tcy),
                                upright: Boolean(upright) };
                if (mark && tcy) {
                    const whole = doc.createRange();
                    whole.selectNodeContents(tcy);
                    entry.pass = isolate(whole);
                } else if (mark) entry.pass = isolate(range);
                out.push(entry);
            }
        }
        return out;
    };
    const running = [...doc.querySelectorAll('section > p')];
    const container = rendition.manager.container.getBoundingClientRect();
    const location = rendition.currentLocation();
    const toc = [];
    const walk = items => items.forEach(item => {
        const target = book.spine.get(item.href);
        toc.push({ label: item.label.trim(), href: item.href,
                   section: target ? target.href : null });
        walk(item.subitems || []);
    });
    walk(book.navigation.toc);
    const paragraphs = running.map(p => ({ id: p.id, text: p.textContent, style: css(p),
                                           chars: characters(p) }));
    window.__probePasses = passes;
    window.__probeDocument = doc;
    return {
        toc,
        spine: book.spine.spineItems.filter(s => s.linear).map(s => s.href),
        packageDirection: book.package.metadata.direction || null,
        renditionDirection: rendition.settings.direction || null,
        axis: rendition.manager.settings.axis,
        writingModeSeen: rendition.manager.writingMode || null,
        layout: rendition._layout.props,
        location: { start: location.start && location.start.href,
                    end: location.end && location.end.href },
        viewport: [window.innerWidth, window.innerHeight],
        container: [container.left, container.top, container.width, container.height],
        frame: [frame.left, frame.top, frame.width, frame.height],
        html: css(doc.documentElement),
        body: css(doc.body),
        paragraphs,
        tcy: [...doc.querySelectorAll('.tcy')].map(s => ({
            text: s.textContent,
            pass: paragraphs.flatMap(p => p.chars).find(c => c.tcy && c.pass !== undefined &&
                JSON.stringify(c.rects) === JSON.stringify(rects(s)))?.pass ?? null, fontSize: parseFloat(win.getComputedStyle(s).fontSize),
            combine: win.getComputedStyle(s).textCombineUpright ||
                     win.getComputedStyle(s).webkitTextCombine || null,
            rects: rects(s) })),
        admonitions: [...doc.querySelectorAll('div.admonition')].map(d => ({
            classes: d.className, rects: rects(d) })),
    };
})()`;

// Draw only the marks of one pass: every other glyph, rule, frame and background is made
// transparent (colours only: nothing moves), and the marks are painted black through the CSS
// Custom Highlight API, which leaves the document as it is.
const ISOLATE = pass => `(() => {
    const doc = window.__probeDocument;
    if (!doc.getElementById('probe-isolate')) {
        const style = doc.createElementNS('http://www.w3.org/1999/xhtml', 'style');
        style.id = 'probe-isolate';
        style.textContent = \`*, *::before, *::after, *::marker {
            color: transparent !important; -webkit-text-fill-color: transparent !important;
            text-decoration-color: transparent !important; border-color: transparent !important;
            background: transparent !important; box-shadow: none !important;
            outline-color: transparent !important; }
          ::highlight(probe) { color: black !important; -webkit-text-fill-color: black !important; }\`;
        doc.documentElement.appendChild(style);
    }
    doc.defaultView.CSS.highlights.set('probe', new doc.defaultView.Highlight(...window.__probePasses[${pass}]));
    doc.defaultView.requestAnimationFrame(() => doc.defaultView.requestAnimationFrame(() =>
        setTimeout(() => dispatch({ type: 'probe-isolated', payload: ${pass} }), 100)));
})()`;

const loop = GLib.MainLoop.new(null, false);
let failed = false;

const probe = ({ epub, href, json, png }) => new Promise((resolve, reject) => {
    const window = new Gtk.Window({ default_width: job.width, default_height: job.height });
    window.set_decorated(false);
    // epubView.js: the WebKit settings Foliate gives its view.
    const settings = new WebKit2.Settings({
        allow_top_navigation_to_data_urls: false,
        allow_modal_dialogs: false,
        enable_fullscreen: false,
        enable_html5_database: false,
        enable_html5_local_storage: false,
        enable_offline_web_application_cache: false,
        enable_java: false,
        enable_plugins: false,
        media_playback_requires_user_gesture: true,
        enable_write_console_messages_to_stdout: true,
        allow_file_access_from_file_urls: true,
        enable_javascript_markup: false,
    });
    settings.set_user_agent_with_application_details('Foliate', 'probe');
    const webView = new WebKit2.WebView({ visible: true, is_ephemeral: true, settings });
    window.add(webView);
    window.show_all();

    const timer = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, job.timeout, () => {
        finish(new Error(`${epub}: no rendered chapter after ${job.timeout} s (last: ${last})`));
        return GLib.SOURCE_REMOVE;
    });
    let last = 'loading the viewer';
    let done = false;
    const finish = error => {
        if (done) return;
        done = true;
        GLib.source_remove(timer);
        window.destroy();
        if (error) reject(error); else resolve();
    };

    const run = script => new Promise((ok, fail) =>
        webView.run_javascript(`${script};\nundefined`, null, (view, result) => {
            try {
                const value = view.run_javascript_finish(result).get_js_value();
                ok(value.is_undefined() ? null : value.to_string());
            } catch (e) { fail(e); }
        }));
    const snapshot = path => new Promise((ok, fail) =>
        webView.get_snapshot(WebKit2.SnapshotRegion.VISIBLE, WebKit2.SnapshotOptions.NONE, null,
            (view, result) => {
                try {
                    view.get_snapshot_finish(result).writeToPNG(path);
                    ok();
                } catch (e) { fail(e); }
            }));
    const runResource = name => new Promise(ok =>
        webView.run_javascript_from_gresource(RESOURCE + name, null, () => ok()));

    webView.connect('load-changed', async (view, event) => {
        if (event !== WebKit2.LoadEvent.FINISHED) return;
        for (const name of ['jszip.js', 'epub.js', 'crypto-js/core.js', 'crypto-js/enc-latin1.js',
            'crypto-js/md5.js', 'utils.js', 'webpub.js', 'epub-viewer.js'])
            await runResource(name);
    });

    const manager = webView.get_user_content_manager();
    manager.connect('script-message-received::action', async (_, message) => {
        const { type, payload } = JSON.parse(message.get_js_value().to_string());
        last = type;
        try {
            switch (type) {
                case 'ready': {
                    const { width, height } = webView.get_allocation();
                    await run(`windowSize = ${width}; windowHeight = ${height}; zoomLevel = 1`);
                    const uri = GLib.filename_to_uri(epub, null);
                    const name = GLib.path_get_basename(epub).replace(/\.[^.]+$/, '');
                    await run(`open(${JSON.stringify(uri)}, ${JSON.stringify(name)}, 'epub',
                        'viewer', ${JSON.stringify(LAYOUT)})`);
                    break;
                }
                case 'book-error':
                    finish(new Error(`${epub}: Foliate's viewer: ${payload}`));
                    break;
                case 'book-ready':
                    await run('loadLocations(null)');
                    await run('render()');
                    break;
                case 'rendition-ready': {
                    const s = style();
                    const web = webView.get_settings();
                    web.serif_font_family = s.fontFamily;
                    web.sans_serif_font_family = s.fontFamily;
                    web.default_font_family = s.fontFamily;
                    web.default_font_size = s.fontSize;
                    await run(`setStyle(${JSON.stringify(s)})`);
                    await run('setupRendition()');
                    await run('display()');
                    break;
                }
                case 'book-displayed':
                    // the table of contents: epubView.js goTo(href)
                    await run(`rendition.display(${JSON.stringify(href)}).then(() =>
                        setTimeout(() => dispatch({ type: 'probe-displayed' }), 500))`);
                    break;
                case 'probe-displayed': {
                    await run(`${MEASURE.replace('HREF', JSON.stringify(href))}.then(
                        r => dispatch({ type: 'probe-measured', payload: r }),
                        e => dispatch({ type: 'probe-measured', payload: { error: String(e) } }))`);
                    break;
                }
                case 'probe-measured': {
                    if (payload.error) throw new Error(`${epub}: ${payload.error}`);
                    payload.foliateDefaults = { font: defaults.font, layout: defaults.layout,
                        'use-publisher-font': defaults['use-publisher-font'] };
                    payload.marks = [0, 1].map(pass => png.replace(/\.png$/, `-marks-${pass}.png`));
                    GLib.file_set_contents(json, JSON.stringify(payload, null, 1));
                    await snapshot(png);
                    await run(ISOLATE(0));
                    break;
                }
                case 'probe-isolated': {
                    await snapshot(png.replace(/\.png$/, `-marks-${payload}.png`));
                    if (payload === 0) await run(ISOLATE(1));
                    else finish();
                    break;
                }
            }
        } catch (e) {
            finish(e instanceof Error ? e : new Error(String(e)));
        }
    });
    manager.register_script_message_handler('action');
    webView.load_uri(GLib.filename_to_uri(`${FOLIATE}/assets/epub-viewer.html`, null));
});

(async () => {
    for (const book of job.books) {
        try {
            await probe(book);
            print(`probed ${book.epub}`);
        } catch (e) {
            printerr(`foliate_probe: ${e.message}`);
            failed = true;
        }
    }
    loop.quit();
})();
loop.run();
imports.system.exit(failed ? 1 : 0);
