// The checkpoint app's service worker (served as /checkpoint/sw.js, scope /checkpoint).
// The hub fills in VERSION (a hash of every cached file, so a new release gets a new cache)
// and SHELL (the files the app needs offline).
//
// Assets are cache-first. The page itself is network-first with a short timeout, falling back
// to the cached copy: it is rendered in the reader's language, so a language switch or a new
// release must show at once when the hub answers, and a dead link must not keep an officer
// waiting. Sync API calls are never cached: they pass straight to the network.

const PREFIX = "tansiq-checkpoint-";
const CACHE = PREFIX + "__VERSION__";
const SHELL = __SHELL__;
const PAGE = SHELL[0];
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE && request.mode === "navigate") {
    event.respondWith(pageFirst(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(cacheFirst(url.pathname, request));
  }
});

async function cacheFirst(path, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(path);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(path, response.clone());
  return response;
}

async function pageFirst(request) {
  const cache = await caches.open(CACHE);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PAGE_TIMEOUT_MS);
  try {
    const response = await fetch(request, { signal: controller.signal });
    if (response.ok) await cache.put(PAGE, response.clone());
    return response;
  } catch {
    const hit = await cache.match(PAGE);
    return hit || Response.error();
  } finally {
    clearTimeout(timer);
  }
}
