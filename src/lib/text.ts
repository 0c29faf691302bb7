/** Length in Unicode code points, as Python counts it (an emoji is one). */
export const codePoints = (s: string) => [...s].length;
