import { describe, expect, it } from 'vitest';
import { api, seedProduct, seedSuperuser, uniqueTag } from '../support';

/** GET /products?q=… as the ids found, checking that X-Total-Count agrees with the list. */
async function search(q: string, query = ''): Promise<number[]> {
  const res = await api('GET', `/products?q=${encodeURIComponent(q)}&limit=100${query}`);
  expect(res.status).toBe(200);
  const ids = res.body.map((p: { id: number }) => p.id);
  if (ids.length < 100) expect(Number(res.headers.get('x-total-count'))).toBe(ids.length);
  return ids;
}

describe('GET /products?q= from 3 characters on (the products_fts trigram index)', () => {
  it('finds a substring anywhere in the title or the description, across word boundaries', async () => {
    const tag = uniqueTag();
    const inTitle = await seedProduct({ title: `Stoneware${tag}mug`, description: 'plain' });
    const inDescription = await seedProduct({ title: 'Plain', description: `a hand-thrown ${tag} jug, 350 ml` });
    expect(await search(tag)).toEqual([inTitle.id, inDescription.id]);
    expect(await search(`ware${tag}m`)).toEqual([inTitle.id]);
    expect(await search(`${tag} jug, 35`)).toEqual([inDescription.id]);
    expect(await search(`${tag.slice(2)}`)).toEqual([inTitle.id, inDescription.id]);
    // Never across the boundary between title and description.
    expect(await search(`mugplain${tag}`)).toEqual([]);
  });

  it('keeps paging, sorting and X-Total-Count consistent with the match', async () => {
    const tag = uniqueTag();
    const seeded = [];
    for (const price of [300, 100, 200]) seeded.push(await seedProduct({ title: `${tag} item`, price }));
    await seedProduct({ title: `${tag} hidden`, isVisible: false });
    const res = await api('GET', `/products?q=${tag}&sort=-price&limit=2`);
    expect(res.body.map((p: { id: number }) => p.id)).toEqual([seeded[0]!.id, seeded[2]!.id]);
    expect(res.headers.get('x-total-count')).toBe('3');
  });

  it('ignores case: ASCII letters and letters beyond ASCII (É finds é and the other way round)', async () => {
    const tag = uniqueTag();
    const ascii = await seedProduct({ title: `LiNeN ${tag} Scarf` });
    const accented = await seedProduct({ title: `${tag} ÉCLAIR`, description: `${tag}-crème brûlée` });
    expect(await search(`linen ${tag} SCARF`)).toEqual([ascii.id]);
    expect(await search(`${tag} éclair`)).toEqual([accented.id]);
    expect(await search(`${tag}-CRÈME BRÛLÉE`)).toEqual([accented.id]);
    // Case folds, accents stay: e is not é.
    expect(await search(`${tag} eclair`)).toEqual([]);
  });

  it('matches FTS5 syntax, quotes and LIKE wildcards literally, never as operators', async () => {
    const tag = uniqueTag();
    const quoted = await seedProduct({ title: `${tag} the "best" mug` });
    const starred = await seedProduct({ title: `${tag} star* rating` });
    const either = await seedProduct({ title: `${tag} tea OR coffee` });
    const near = await seedProduct({ title: `NEAR(${tag} cup, 2)` });
    const percent = await seedProduct({ title: `${tag} 50% off` });
    const underscore = await seedProduct({ title: `${tag} snake_case` });
    await seedProduct({ title: `${tag} starfish` });
    await seedProduct({ title: `${tag} 50x off snakeXcase` });

    expect(await search(`${tag} the "best"`)).toEqual([quoted.id]);
    expect(await search(`"best" mug`)).toEqual([quoted.id]);
    expect(await search(`${tag} star*`)).toEqual([starred.id]);
    expect(await search(`${tag} sta*`)).toEqual([]);
    expect(await search(`tea OR coffee`)).toEqual([either.id]);
    expect(await search(`${tag}x OR ${tag}`)).toEqual([]);
    expect(await search(`NEAR(${tag}`)).toEqual([near.id]);
    expect(await search(`NEAR(${tag} cup)`)).toEqual([]);
    expect(await search(`${tag} 50%`)).toEqual([percent.id]);
    expect(await search(`${tag} snake_case`)).toEqual([underscore.id]);
    expect(await search(`${tag}%`)).toEqual([]);
    expect(await search(`title:${tag}`)).toEqual([]);
  });

  it('answers 200 to any text FTS5 would reject as a query', async () => {
    const tag = uniqueTag();
    for (const syntax of ['"', '"""', 'a"b', 'OR', 'NEAR(', 'AND NOT', '***', '^', '-', '{title}:', '\u0000', ')(', "'; DROP TABLE products_fts; --"]) {
      expect(await search(`${syntax}${tag}`)).toEqual([]);
      expect(await search(`${tag}${syntax}`)).toEqual([]);
    }
  });
});

describe('GET /products?q= with 1 or 2 characters (shorter than a trigram: scanned for)', () => {
  it('finds them in the title or the description, ASCII letters case-insensitively', async () => {
    const tag = uniqueTag();
    const inTitle = await seedProduct({ title: `${tag} Zq`, description: '' });
    const inDescription = await seedProduct({ title: tag, description: 'size: ~%' });
    const found = await search('zQ', '&sort=-id');
    expect(found).toContain(inTitle.id);
    expect(found).not.toContain(inDescription.id);
    expect(await search('~%', '&sort=-id')).toContain(inDescription.id);
    expect(await search('Z', '&sort=-id')).toContain(inTitle.id);
  });

  it('folds only ASCII letters: é does not find É (unlike a q of 3 characters or more)', async () => {
    const product = await seedProduct({ title: `${uniqueTag()} École` });
    expect(await search('É', '&sort=-id')).toContain(product.id);
    expect(await search('é', '&sort=-id')).not.toContain(product.id);
    expect(await search('éc', '&sort=-id')).not.toContain(product.id);
    expect(await search('éco', '&sort=-id')).toContain(product.id);
  });
});

describe('products_fts follows products (the migration triggers)', () => {
  it('finds a created product, finds it by its new title or description once patched, and no longer once deleted', async () => {
    const admin = await seedSuperuser();
    const [created, renamed, described] = [uniqueTag(), uniqueTag(), uniqueTag()];
    const res = await api('POST', '/products/add', { token: admin.token, json: { title: `Mug ${created}`, description: 'Stoneware', price: 100, is_visible: true } });
    expect(res.status).toBe(201);
    const id: number = res.body.id;
    expect(await search(created)).toEqual([id]);

    expect((await api('PATCH', `/products/${id}`, { token: admin.token, json: { title: `Mug ${renamed}` } })).status).toBe(200);
    expect(await search(created)).toEqual([]);
    expect(await search(renamed)).toEqual([id]);

    // Changing other columns leaves the indexed text alone.
    expect((await api('PATCH', `/products/${id}`, { token: admin.token, json: { price: 200, quantity: 3 } })).status).toBe(200);
    expect(await search(renamed)).toEqual([id]);

    expect((await api('PATCH', `/products/${id}`, { token: admin.token, json: { description: `now ${described}` } })).status).toBe(200);
    expect(await search(described)).toEqual([id]);
    expect(await search('Stoneware', `&min_price=200&max_price=200`)).not.toContain(id);
    expect(await search(renamed)).toEqual([id]);

    expect((await api('DELETE', `/products/${id}`, { token: admin.token })).status).toBe(204);
    expect(await search(renamed)).toEqual([]);
    expect(await search(described)).toEqual([]);
  });
});
