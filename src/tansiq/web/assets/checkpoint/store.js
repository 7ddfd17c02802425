// The device's own storage in IndexedDB: "meta" (key -> value: the device token, pinned
// governance keys, signed trust data, expected permits) and "queue" (scan events, in the
// order they were recorded, until the hub acknowledges them).

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("tansiq-checkpoint", 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("meta");
      request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const dbReady = openDb();

async function run(storeName, mode, work) {
  const db = await dbReady;
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    let result;
    Promise.resolve(work(tx.objectStore(storeName))).then((value) => { result = value; });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

const asPromise = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

export const getMeta = (key) => run("meta", "readonly", (store) => asPromise(store.get(key)));
export const putMeta = (values) => run("meta", "readwrite", (store) => {
  for (const [key, value] of Object.entries(values)) store.put(value, key);
});
export const queueLength = () => run("queue", "readonly", (store) => asPromise(store.count()));
export const queueEvent = (event) => run("queue", "readwrite", (store) => { store.add(event); });
export const firstEvents = (n) => run("queue", "readonly", (store) => asPromise(store.getAll(null, n)));
export const dropEvents = (seqs) => run("queue", "readwrite", (store) => { for (const seq of seqs) store.delete(seq); });
