/** Small strings shared by the page and the service worker (which cannot read localStorage). */
import { database } from './schema';

export async function getValue(key: string): Promise<string | undefined> {
  return (await database()).get('kv', key);
}

export async function setValue(key: string, value: string): Promise<void> {
  await (await database()).put('kv', value, key);
}

export async function deleteValue(key: string): Promise<void> {
  await (await database()).delete('kv', key);
}

/** Store a number under key unless a larger one is there; true when it is now the largest. */
export async function keepHighest(key: string, value: number): Promise<boolean> {
  const tx = (await database()).transaction('kv', 'readwrite');
  const known = await tx.store.get(key);
  const newest = known === undefined || Number(known) <= value;
  if (newest) await tx.store.put(String(value), key);
  await tx.done;
  return newest;
}
