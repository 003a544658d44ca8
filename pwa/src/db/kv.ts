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
