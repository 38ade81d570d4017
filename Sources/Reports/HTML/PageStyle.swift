import Checksum
import Foundation

/// The coaching page's look: one inline style sheet, one small inline script, and SVG helpers.
/// Public so other pages (the audit summary) can share the look and the Content-Security-Policy.
public enum PageStyle {
    /// Colours by role and verdict; the words and shapes beside them carry the meaning in grey-scale print.
    public static let agentColour = "#1d6fb8", customerColour = "#d9822b", overlapColour = "#c62828"

    /// The page's style sheet (no external fonts: system fonts with CJK fallbacks).
    public static let css = #"""
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--paper:#fff;--soft:#f6f8fa;--agent:#1d6fb8;--customer:#d9822b;--overlap:#c62828;--pass:#1a7f37;--warn:#9a6700;--fail:#cf222e;--na:#6e7781}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","Noto Sans CJK JP","PingFang SC","Hiragino Sans","Microsoft YaHei",sans-serif;color:var(--ink);background:var(--paper);line-height:1.45}
:lang(ja){font-family:system-ui,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif}
:lang(zh){font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
:lang(zh-Hant){font-family:system-ui,"Noto Sans CJK TC","PingFang TC","Microsoft JhengHei",sans-serif}
body{margin:0 auto;max-width:1180px;padding:20px 24px 0}
h1{font-size:1.55rem;margin:.1rem 0 .4rem;word-break:break-all}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:0}
a{color:var(--agent)}
.kicker{color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.04em}
.muted{color:var(--muted)}
.small{font-size:.85rem}
header.top{display:flex;gap:24px;align-items:center;justify-content:space-between;flex-wrap:wrap}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:.9rem;margin:0}
.meta dt{color:var(--muted)}.meta dd{margin:0}
.score{display:flex;align-items:center;gap:12px}
.score .label{font-size:.85rem;color:var(--muted)}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:10px}
.figure{border:1px solid var(--line);border-left:6px solid var(--na);border-radius:8px;padding:8px 10px;background:var(--soft);break-inside:avoid}
.figure .name{font-size:.85rem;color:var(--muted)}
.figure .value{font-size:1.45rem;font-weight:650}
.figure .unit{font-size:.85rem;font-weight:400;color:var(--muted);margin-left:3px}
.figure .target{font-size:.8rem;color:var(--muted)}
.st-pass{border-left-color:var(--pass)}.st-warn{border-left-color:var(--warn);border-left-style:dashed}.st-fail{border-left-color:var(--fail);border-left-style:double;border-left-width:7px}
.badge{display:inline-block;font-size:.78rem;font-weight:650;padding:1px 8px;border-radius:10px;border:1.5px solid currentColor;white-space:nowrap}
.badge.pass{color:var(--pass)}.badge.warn{color:var(--warn);border-style:dashed}.badge.fail{color:var(--fail);border-width:2.5px}.badge.not-measurable{color:var(--na);border-style:dotted}
.moments{display:grid;grid-template-columns:repeat(auto-fit,minmax(290px,1fr));gap:12px}
.moment{border:1px solid var(--line);border-radius:10px;padding:12px 14px;break-inside:avoid;position:relative}
.moment.miss{border-top:5px solid var(--fail)}.moment.strength{border-top:5px solid var(--pass)}
.moment .num{display:inline-flex;width:1.5rem;height:1.5rem;border-radius:50%;background:var(--ink);color:#fff;align-items:center;justify-content:center;font-size:.8rem;font-weight:700;margin-right:6px}
.moment .what{margin:.45rem 0}
.tip{background:#fff8c5;border-radius:6px;padding:6px 9px;margin:.4rem 0 0;font-size:.92rem}
.tip b{margin-right:4px}
a.t{font-variant-numeric:tabular-nums;text-decoration:none;border-bottom:1px dashed currentColor;cursor:pointer;white-space:nowrap}
a.t::before{content:"▶ ";font-size:.7em;vertical-align:1px}
.timeline svg.row{display:block;width:100%;height:auto;margin:4px 0 10px;overflow:visible}
svg text{font-family:inherit}
svg .lbl{font-size:11px;fill:#59636e}
svg .axis{font-size:10px;fill:#59636e;font-variant-numeric:tabular-nums}
svg .grid{stroke:#d1d9e0;stroke-width:.6}
svg .zero{stroke:#8c959f;stroke-width:.7;stroke-dasharray:3 2}
svg [data-t]{cursor:pointer}
svg.row{cursor:crosshair}
svg .ph{stroke:#111;stroke-width:1.4;display:none;pointer-events:none}
.legend{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:3px 16px;font-size:.82rem;margin:.3rem 0 0;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:6px}
.legend svg{flex:none}
.note{font-size:.85rem;color:var(--muted);background:var(--soft);border-radius:6px;padding:5px 9px;margin:.3rem 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:10px;padding:12px 14px;break-inside:avoid;page-break-inside:avoid}
.card.fail{border-left:7px double var(--fail)}.card.warn{border-left:6px dashed var(--warn)}.card.pass{border-left:6px solid var(--pass)}
.card header{display:flex;justify-content:space-between;gap:8px;align-items:baseline}
.card .sc{font-size:1.25rem;font-weight:650;font-variant-numeric:tabular-nums}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 10px;font-size:.88rem;margin:.5rem 0 0}
.card dt{color:var(--muted)}.card dd{margin:0}
.card ul{margin:0;padding:0;list-style:none}
blockquote{margin:0;padding:0 0 0 8px;border-left:3px solid var(--line);color:#3d444d}
.nm{font-size:.9rem;padding-left:1.1rem}
.nm li{margin:.2rem 0}
.player{position:sticky;bottom:0;margin:1.2rem -24px 0;background:rgba(255,255,255,.97);border-top:1px solid var(--line);padding:8px 24px;display:flex;gap:14px;align-items:center;z-index:5}
.player audio{width:min(640px,60vw)}
.player b{white-space:nowrap}
footer{margin-top:2rem;font-size:.8rem;color:var(--muted)}
@media print{
  @page{size:A4 landscape;margin:12mm}
  body{max-width:none;padding:0}
  .player,.hint{display:none}
  .card,.moment,.figure,.timeline svg,.legend{break-inside:avoid;page-break-inside:avoid}
  a.t{color:inherit;border-bottom:none}
  a.t::before{content:""}
  h2{break-after:avoid}
  .tip{background:none;border:1px solid #999}
}
"""#

    /// The page's only script: clicking a `[data-t]` element (or a point of a timeline row) seeks the
    /// player to one second before that time and plays; the browser's refusal to play without a user
    /// gesture is caught. The playhead follows the player on the timeline.
    public static let script = #"""
(function(){
var a=document.getElementById("player");
function seek(t){if(!a||!isFinite(t))return;a.currentTime=Math.max(0,t-1);try{var p=a.play();if(p&&p.catch)p.catch(function(){});}catch(e){}}
document.addEventListener("click",function(e){
var el=e.target.closest?e.target.closest("[data-t]"):null;
if(el){e.preventDefault();seek(parseFloat(el.getAttribute("data-t")));return;}
var row=e.target.closest?e.target.closest("svg.row"):null;
if(row){var r=row.getBoundingClientRect(),vb=row.viewBox.baseVal,k=r.width/vb.width;
var x0=r.left+parseFloat(row.getAttribute("data-x0"))*k,w=parseFloat(row.getAttribute("data-w"))*k,f=(e.clientX-x0)/w;
if(f>=0&&f<=1)seek(parseFloat(row.getAttribute("data-start"))+f*parseFloat(row.getAttribute("data-span")));}
});
if(a)a.addEventListener("timeupdate",function(){var t=a.currentTime;
document.querySelectorAll("svg.row").forEach(function(row){var s=parseFloat(row.getAttribute("data-start")),d=parseFloat(row.getAttribute("data-span")),
l=row.querySelector(".ph");if(!l)return;if(t>=s&&t<=s+d){var x=parseFloat(row.getAttribute("data-x0"))+(t-s)/d*parseFloat(row.getAttribute("data-w"));
l.setAttribute("x1",x);l.setAttribute("x2",x);l.style.display="inline";}else{l.style.display="none";}});});
})();
"""#

    /// `'sha256-…'` of a text, as a Content-Security-Policy source.
    public static func cspHash(_ text: String) -> String { "'sha256-\(Data(SHA256.digest(Array(text.utf8))).base64EncodedString())'" }

    /// The Content-Security-Policy of a page holding `css` and `script`: nothing external, no other
    /// script or style; media from the page's own place (a linked recording) or a data URI.
    public static func contentSecurityPolicy(css: String = css, script: String? = script) -> String {
        ["default-src 'none'", "script-src \(script.map(cspHash) ?? "'none'")", "style-src \(cspHash(css))", "img-src data:",
         "media-src 'self' file: data:", "base-uri 'none'", "form-action 'none'"].joined(separator: "; ")
    }

    /// Number for SVG coordinates: at most one decimal, no "-0".
    public static func n(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        if r == r.rounded() { return String(Int(r)) }
        return String(format: "%.1f", r)
    }

    /// A small square swatch (legend) of `fill` colour.
    public static func swatch(_ fill: String, shape: String = "rect") -> String {
        switch shape {
        case "tri": "<svg width=\"14\" height=\"12\" viewBox=\"0 0 14 12\" aria-hidden=\"true\"><path d=\"M1 1h12L7 11z\" fill=\"\(fill)\"/></svg>"
        case "dot": "<svg width=\"14\" height=\"12\" viewBox=\"0 0 14 12\" aria-hidden=\"true\"><circle cx=\"7\" cy=\"6\" r=\"4\" fill=\"\(fill)\"/></svg>"
        case "line": "<svg width=\"22\" height=\"12\" viewBox=\"0 0 22 12\" aria-hidden=\"true\"><path d=\"M1 8L7 3L13 7L21 2\" fill=\"none\" stroke=\"\(fill)\" stroke-width=\"2\"/></svg>"
        case "dash": "<svg width=\"22\" height=\"12\" viewBox=\"0 0 22 12\" aria-hidden=\"true\"><path d=\"M1 8L7 3L13 7L21 2\" fill=\"none\" stroke=\"\(fill)\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/></svg>"
        case "vline": "<svg width=\"14\" height=\"12\" viewBox=\"0 0 14 12\" aria-hidden=\"true\"><path d=\"M7 0v12\" stroke=\"\(fill)\" stroke-width=\"2\"/></svg>"
        default: "<svg width=\"16\" height=\"12\" viewBox=\"0 0 16 12\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" width=\"14\" height=\"10\" rx=\"2\" fill=\"\(fill)\"/></svg>"
        }
    }

    /// A ring showing a 0–100 score with the number in the middle (grey ring when `score` is nil).
    public static func scoreRing(_ score: Double?, size: Int = 96, label: String) -> String {
        let r = 40.0, c = 2 * Double.pi * r
        let colour = score.map { $0 >= 80 ? "#1a7f37" : ($0 >= 50 ? "#9a6700" : "#cf222e") } ?? "#6e7781"
        let filled = (score ?? 0) / 100 * c
        return """
        <svg width="\(size)" height="\(size)" viewBox="0 0 100 100" role="img" aria-label="\(HTMLEscape.attribute(label))">\
        <circle cx="50" cy="50" r="\(n(r))" fill="none" stroke="#e6e9ed" stroke-width="10"/>\
        <circle cx="50" cy="50" r="\(n(r))" fill="none" stroke="\(colour)" stroke-width="10" stroke-dasharray="\(n(filled)) \(n(c))" transform="rotate(-90 50 50)"/>\
        <text x="50" y="58" text-anchor="middle" font-size="26" font-weight="700" fill="#1f2328">\(score.map { String(Int($0.rounded())) } ?? "–")</text></svg>
        """
    }
}
