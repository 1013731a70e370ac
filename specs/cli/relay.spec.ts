/** The --stately relay's history is bounded in bytes: the first messages (actor registrations) are kept. */
import { RELAY_MAX_BYTES, RelayLog } from '../../inspector/stately';

test('the relay log keeps the oldest messages within its byte budget and counts what it drops', () => {
  const log = new RelayLog(1000);
  for (let i = 0; i < 30; i++) log.add(`${i}`.padEnd(100, '.'));
  expect(log.messages()).toHaveLength(10);
  expect(log.messages()[0].startsWith('0.')).toBe(true);
  expect(log.size).toBeLessThanOrEqual(1000);
  expect(log.dropped).toBe(20);
  log.add('é'.repeat(10)); // bytes, not characters: 20 bytes do not fit
  expect(log.dropped).toBe(21);
  expect(RELAY_MAX_BYTES).toBeLessThanOrEqual(64 * 1024 * 1024);
});
