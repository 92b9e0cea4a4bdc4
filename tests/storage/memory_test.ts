import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { runStorageConformance } from "./conformance/mod.ts";

runStorageConformance("memory", () => {
  const storage = new MemoryStorage();
  return Promise.resolve({ storage, cleanup: () => storage.close() });
});
