package tensor

// fallbackMemory is the allocation limit when the machine's memory cannot be
// read: 64 GiB, enough for any array a laptop or a typical server can hold,
// and far below the sizes that only a bug or a typo asks for.
const fallbackMemory uint64 = 64 << 30
