/**
 * Child of bench/order-channel.bench.ts, run inside a network namespace whose link to the relay
 * drops packets: the same round trips as on loopback, printed as one JSON line.
 * Args: relay URL, token, BTC-USD price (ticks), warm-up, samples.
 */
import { openCarriers, roundTrips } from './order-round-trip';

const [url, token, price, warmup, samples] = process.argv.slice(2);
const carriers = await openCarriers(url!, token!);
const rtts = await roundTrips(carriers, Number(price), Number(warmup), Number(samples));
for (const c of carriers) c.close();
console.log(JSON.stringify(Object.fromEntries(rtts)));
process.exit(0);
