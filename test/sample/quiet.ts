/** Run a CLI command with its console.log output dropped (the tests read its files instead). */
export async function quiet<T>(f: () => Promise<T>): Promise<T> {
  const orig = console.log;
  console.log = () => {};
  try { return await f(); } finally { console.log = orig; }
}
