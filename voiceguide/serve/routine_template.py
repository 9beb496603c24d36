"""The routine page's own part: its style (after the shared one ``page.head`` writes), its
markup and its script, with ``{{...}}`` places that ``page.routine_page`` fills.

The upper half shows the words being said, large, and the time; the lower half is one
large play/pause button, found without looking. Below them: the steps (a tap jumps to one)
and download links. The words follow the audio element's own clock through the cue list,
so they stay in step with what is heard. The Media Session API gives the lock screen and a
headset the step's name, play/pause and next/previous step. At a question, two large
buttons ("One more", "Go on") take the lower half during its answer window; as in ``play``,
without an answer the page goes on past the round. Where the server records sessions, the
page asks "How is your back, 0 to 10?" when the routine's first step begins and when its
closing begins: eleven large buttons and a skip go under the words for
``page.RATING_WINDOW`` seconds while the audio plays on and play/pause stays where it was
(see docs/phone.md); the page posts the session, its ratings and its end to the server.
"""

TEMPLATE = """
.screen { height: 100vh; height: 100svh; display: flex; flex-direction: column; }
.now { flex: 1 1 50%; display: flex; flex-direction: column; padding: 1rem 1.25rem .5rem;
  min-height: 0; }
#step { color: var(--accent); font-size: 1rem; margin: 0 0 .5rem; min-height: 1.4em; }
#words { flex: 1; overflow: hidden; font-size: clamp(1.6rem, 7.5vw, 2.6rem); line-height: 1.25;
  font-weight: 600; margin: 0; transition: opacity .2s; }
#words.after { opacity: .6; }
.times { display: flex; justify-content: space-between; color: var(--dim);
  font-variant-numeric: tabular-nums; margin-top: .5rem; }
#bar { width: 100%; height: .4rem; accent-color: var(--accent); }
#play { flex: 1 1 50%; width: 100%; border: 0; margin: 0; background: #23262c; color: var(--fg);
  font: inherit; font-size: 2rem; display: flex; flex-direction: column; align-items: center;
  justify-content: center; gap: .5rem; touch-action: manipulation; cursor: pointer;
  border-top: 1px solid #33363d; -webkit-tap-highlight-color: transparent; }
#play:active { background: #2d3037; }
#play svg { width: 6rem; height: 6rem; fill: var(--accent); }
#play .pause, #play.playing .play { display: none; }
#answer { flex: 1 1 50%; display: flex; flex-direction: column; gap: 2px; margin: 0;
  border-top: 1px solid #33363d; }
#answer[hidden], #play[hidden] { display: none; }
#answer button { flex: 1; border: 0; margin: 0; font: inherit; font-size: 2rem;
  font-weight: 600; touch-action: manipulation; cursor: pointer; color: var(--fg);
  background: #23262c; -webkit-tap-highlight-color: transparent; }
#answer #again { color: var(--bg); background: var(--accent); }
#play.playing .pause { display: block; }
#rating { flex: none; margin: .5rem 0 0; }
#rating[hidden], #advice[hidden], .now.asking h1 { display: none; }
#rating-question { margin: 0; text-align: center; font-size: 1.2rem; font-weight: 600; }
#rating .digits { display: grid; grid-template-columns: repeat(4, 1fr);
  grid-auto-rows: 3.2rem; gap: 4px; }
#rating button { border: 0; margin: 0; font: inherit; font-size: 1.8rem; font-weight: 600;
  touch-action: manipulation; cursor: pointer; color: var(--fg); background: #2d3037;
  border-radius: .3rem; -webkit-tap-highlight-color: transparent; }
#rating .scale { margin: 0 0 .3rem; text-align: center; }
#rating #rating-skip { font-size: 1.2rem; color: var(--dim); }
#advice { margin: .5rem 0 0; padding: .5rem; border-radius: .3rem; color: var(--bg);
  background: var(--accent); font-weight: 600; }
#hurt { flex: none; margin: .5rem 0 0; padding: .6rem; border: 0; border-radius: .3rem;
  font: inherit; font-size: 1.2rem; font-weight: 600; color: #fff; background: #8b1e1e;
  touch-action: manipulation; cursor: pointer; -webkit-tap-highlight-color: transparent; }
#steps { list-style: none; padding: 0; margin: 0; }
#steps button { width: 100%; text-align: left; background: none; border: 0;
  border-bottom: 1px solid #2a2d33; color: var(--fg); font: inherit; padding: .8rem .25rem; }
#steps button .t { color: var(--dim); font-variant-numeric: tabular-nums; margin-right: .5rem; }
#steps li.current button { color: var(--accent); font-weight: 600; }
.downloads li { margin: .4rem 0; }
.hint { color: var(--dim); font-size: .9rem; }
</style>
</head>
<body>
<div class="screen">
  <section class="now" aria-live="polite">
    <h1>{{title}}</h1>
    <p id="step"></p>
    <p id="words" data-cue="-1">{{title}}</p>
    <div id="rating" role="group" aria-labelledby="rating-question" hidden>
      <p id="rating-question">How is your back, 0 to 10?</p>
      <p class="hint scale">0: no pain · 10: the worst imaginable</p>
      <div class="digits">
        <button type="button" data-rating="0">0</button>
        <button type="button" data-rating="1">1</button>
        <button type="button" data-rating="2">2</button>
        <button type="button" data-rating="3">3</button>
        <button type="button" data-rating="4">4</button>
        <button type="button" data-rating="5">5</button>
        <button type="button" data-rating="6">6</button>
        <button type="button" data-rating="7">7</button>
        <button type="button" data-rating="8">8</button>
        <button type="button" data-rating="9">9</button>
        <button type="button" data-rating="10">10</button>
        <button id="rating-skip" type="button">Skip</button>
      </div>
    </div>
    <p id="advice" role="alert" hidden></p>
    <progress id="bar" max="1" value="0"></progress>
    <div class="times">
      <span id="elapsed">0:00</span><span id="remaining">−{{remaining}}</span>
    </div>
    <button id="hurt" type="button">It hurts: stop</button>
  </section>
  <button id="play" type="button" aria-label="Play">
    <svg class="play" viewBox="0 0 24 24" aria-hidden="true"><path d="M7 4.5v15l13-7.5z"/></svg>
    <svg class="pause" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M6 4h4.5v16H6zm7.5 0H18v16h-4.5z"/></svg>
    <span id="play-label">Play</span>
  </button>
  <div id="answer" role="group" aria-label="Answer the question" hidden>
    <button id="again" type="button">One more</button>
    <button id="goon" type="button">Go on</button>
  </div>
</div>
<audio id="audio" preload="auto" src="{{audio}}"></audio>
<main>
  <h2>Steps</h2>
  <ol id="steps">
{{steps}}
  </ol>
  <h2>Keep it on this phone</h2>
  <ul class="downloads">
{{downloads}}
  </ul>
  <p class="hint">The audio file plays in any player, screen off, without this page or the
  network. Or subscribe to <a href="{{feed}}">the podcast feed</a> in a podcast app.</p>
  {{home}}
</main>
<script type="application/json" id="data">{{data}}</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const audio = document.getElementById("audio");
const words = document.getElementById("words");
const stepLine = document.getElementById("step");
const play = document.getElementById("play");
const playLabel = document.getElementById("play-label");
const elapsed = document.getElementById("elapsed");
const remaining = document.getElementById("remaining");
const bar = document.getElementById("bar");
const stepItems = Array.from(document.querySelectorAll("#steps li"));
const session = "mediaSession" in navigator ? navigator.mediaSession : null;
let shownCue = null;
let shownStep = null;
const answerBox = document.getElementById("answer");
// Per question: the answer given ("again" or "go on") and whether it has been settled.
const answers = data.questions.map(() => ({ answer: null, settled: false }));
const ratingBox = document.getElementById("rating");
const nowBox = document.querySelector(".now");
const advice = document.getElementById("advice");

// The last item (cue or step) that has started by time t.
function startedBy(items, t) {
  let lo = 0, hi = items.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].start <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return found;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function duration() {
  return Number.isFinite(audio.duration) ? audio.duration : data.duration;
}

// A long caution gets a smaller size rather than lines cut off at the bottom.
function fitWords() {
  words.style.fontSize = "";
  let size = parseFloat(getComputedStyle(words).fontSize);
  while (words.scrollHeight > words.clientHeight && size > 14) {
    size -= 2;
    words.style.fontSize = size + "px";
  }
}

function showStep(index) {
  shownStep = index;
  stepItems.forEach((item, i) => item.classList.toggle("current", i === index));
  const step = data.steps[index];
  stepLine.textContent = step ? step.label + " · " + step.title : "";
  if (session && "MediaMetadata" in window) {
    session.metadata = new MediaMetadata({
      title: step ? step.title : data.title, artist: data.artist, album: data.title,
    });
  }
}

function update() {
  const t = audio.currentTime;
  const cue = startedBy(data.cues, t);
  if (cue !== shownCue) {
    shownCue = cue;
    words.textContent = cue < 0 ? data.title : data.cues[cue].text;
    words.dataset.cue = String(cue);
    fitWords();
  }
  words.classList.toggle("after", cue >= 0 && t > data.cues[cue].end);
  const step = startedBy(data.steps, t);
  if (step !== shownStep) showStep(step);
  elapsed.textContent = clock(t);
  remaining.textContent = "−" + clock(duration() - t);
  bar.value = duration() > 0 ? t / duration() : 0;
  settleQuestions(t);
  if (data.rating) checkRating(t);
}

// The question being asked at t: from its first word until its closing tone has ended.
function askedAt(t) {
  return data.questions.findIndex(
    (q, i) => !answers[i].settled && q.asked <= t && t < q.decided);
}

// As the player does: once the closing tone has been heard, the round plays only on
// "again"; otherwise playing goes on after it. Before a window, its question is new.
function settleQuestions(t) {
  data.questions.forEach((q, i) => {
    const state = answers[i];
    if (t < q.opens) { state.answer = null; state.settled = false; return; }
    if (state.settled || t < q.decided) return;
    state.settled = true;
    if (state.answer !== "again" && t < q.round + 1) seek(q.resume);
  });
  showPanels();
}

// The lower half: a question's answers, else play/pause. The rating's buttons go in the
// upper half, under the words (smaller meanwhile), so that a tap on the lower half, found
// without looking, never gives a rating by mistake.
function showPanels() {
  const question = askedAt(audio.currentTime) >= 0;
  answerBox.hidden = !question;
  play.hidden = question;
  if (ratingBox.hidden === !ratingAsked) return;
  ratingBox.hidden = !ratingAsked;
  nowBox.classList.toggle("asking", Boolean(ratingAsked));
  fitWords();
}

// --- "How is your back, 0 to 10?", and the session in the journal -------------------
// The session being played ({id, asked, endWith, queue}) and the rating being asked
// ({moment, session, timer}). Each session's posts go one after the other (queue), so
// that its end never overtakes its start or a rating.
let recorded = null;
let ratingAsked = null;

function post(message, leaving) {
  return fetch(data.rating.post, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(message), keepalive: Boolean(leaving), cache: "no-store",
  }).then((reply) => (reply.ok ? reply.json() : null)).catch(() => null);
}

function send(session, message, leaving) {
  session.queue = session.queue.then(
    () => (session.id ? post({ ...message, session: session.id }, leaving) : null));
  return session.queue;
}

function startSession() {
  const session = { id: null, asked: {}, endWith: null };
  advice.hidden = true;  // the last session's
  session.queue = post({ action: "start", routine: data.rating.routine })
    .then((answer) => { session.id = answer && answer.session; });
  recorded = session;
}

// Once the rating being asked is answered or let go: a session that ended meanwhile
// is recorded as ended only then, so the rating after it is not lost.
function endSession(outcome, leaving) {
  const session = recorded;
  if (!session) return;
  if (ratingAsked && !leaving) { session.endWith = outcome; return; }
  recorded = null;
  send(session, { action: "end", outcome }, leaving);
}

function askRating(moment) {
  recorded.asked[moment] = true;
  ratingAsked = {
    moment, session: recorded, timer: setTimeout(closeRating, data.rating.window * 1000),
  };
  showPanels();
}

function closeRating() {
  const asked = ratingAsked;
  if (!asked) return;
  ratingAsked = null;
  clearTimeout(asked.timer);
  showPanels();
  if (asked.session.endWith) endSession(asked.session.endWith);
}

function rate(value) {
  const asked = ratingAsked;
  if (!asked) return;
  send(asked.session, { action: "rate", moment: asked.moment, value }).then((answer) => {
    if (answer && answer.advice) { advice.textContent = answer.advice; advice.hidden = false; }
  });
  closeRating();
}

// Asked once each per session, while it plays: before, from the first step's start up
// to the closing's; after, from the closing's start (or at the end, if it was skipped).
function checkRating(t) {
  if (!recorded || audio.paused) return;
  if (ratingAsked && ratingAsked.moment === "before" && t >= data.rating.after) closeRating();
  if (ratingAsked) return;
  if (!recorded.asked.before && data.rating.before <= t && t < data.rating.after) {
    askRating("before");
  } else if (!recorded.asked.after && t >= data.rating.after) {
    askRating("after");
  }
}

// Something hurts: stop at once and show the way out; where sessions are recorded, the
// stop for pain at the step playing, as the s key records it (the next play of the
// routine then offers to leave that step out).
function stopForPain() {
  audio.pause();
  advice.textContent = data.painExit;
  advice.hidden = false;
  const session = recorded;
  if (!session) return;
  recorded = null;
  if (ratingAsked) { clearTimeout(ratingAsked.timer); ratingAsked = null; showPanels(); }
  send(session, { action: "hurt", step: Math.max(0, startedBy(data.steps, audio.currentTime)) });
}

function answer(given) {
  const i = askedAt(audio.currentTime);
  if (i < 0) return;
  answers[i].answer = given;
  if (audio.currentTime < data.questions[i].closes) seek(data.questions[i].closes);
}

function positionState() {
  if (session && session.setPositionState && Number.isFinite(audio.duration)) {
    session.setPositionState({
      duration: audio.duration, playbackRate: audio.playbackRate,
      position: Math.min(audio.currentTime, audio.duration),
    });
  }
}

function seek(seconds) {
  audio.currentTime = Math.max(0, Math.min(seconds, duration()));
  update();
  positionState();
}

function jumpStep(direction) {
  const t = audio.currentTime;
  const current = Math.max(0, startedBy(data.steps, t));
  let target = current + direction;
  // "Previous" first returns to the start of this step, as music players do.
  if (direction < 0 && t - data.steps[current].start > 3) target = current;
  if (target >= data.steps.length) return;
  seek(data.steps[Math.max(0, target)].start);
}

function frame() {
  update();
  if (!audio.paused) requestAnimationFrame(frame);
}

play.addEventListener("click", () => { if (audio.paused) audio.play(); else audio.pause(); });
document.getElementById("again").addEventListener("click", () => answer("again"));
document.getElementById("goon").addEventListener("click", () => answer("go on"));
document.getElementById("hurt").addEventListener("click", stopForPain);
audio.addEventListener("play", () => {
  if (data.rating && !recorded) startSession();
  play.classList.add("playing"); play.setAttribute("aria-label", "Pause");
  playLabel.textContent = "Pause";
  if (session) session.playbackState = "playing";
  requestAnimationFrame(frame);
});
audio.addEventListener("pause", () => {
  play.classList.remove("playing"); play.setAttribute("aria-label", "Play");
  playLabel.textContent = "Play";
  if (session) session.playbackState = "paused";
  update();
});
if (data.rating) {
  ratingBox.querySelectorAll("[data-rating]").forEach((button) => {
    button.addEventListener("click", () => rate(Number(button.dataset.rating)));
  });
  document.getElementById("rating-skip").addEventListener("click", closeRating);
  audio.addEventListener("ended", () => {
    if (recorded && !recorded.asked.after && !ratingAsked) askRating("after");
    endSession("completed");
  });
  window.addEventListener("pagehide", () => endSession("stopped", true));
}
// timeupdate keeps the words right while the screen is off and frames are not drawn.
for (const name of ["timeupdate", "seeked", "loadedmetadata", "ended"]) {
  audio.addEventListener(name, update);
}
audio.addEventListener("loadedmetadata", positionState);
window.addEventListener("resize", fitWords);
stepItems.forEach((item, i) => {
  item.querySelector("button").addEventListener("click", () => seek(data.steps[i].start));
});

if (session) {
  const actions = {
    play: () => audio.play(),
    pause: () => audio.pause(),
    nexttrack: () => jumpStep(1),
    previoustrack: () => jumpStep(-1),
    seekto: (details) => seek(details.seekTime),
  };
  for (const [action, handler] of Object.entries(actions)) {
    try { session.setActionHandler(action, handler); } catch (unsupported) { /* older browser */ }
  }
}
showStep(0);
update();
</script>
</body>
</html>
"""
