// The engine's only unsafe code: a writer over an array's storage that checks every access against its capacity.
//
// The normalizer rewrites the same few arrays for every comment (the scalars and their classes, the words, the two
// views). Appending through `Array` would check uniqueness and grow on each element; this writer takes the array's
// buffer once per text instead and checks each access itself, in release builds too, so a wrong capacity traps
// instead of writing past the buffer. Everything else in the module is safe Swift, which the compiler enforces
// (strict memory safety, as an error, for this target).

/// Appends to and rewrites the first `count` elements of a buffer of `capacity` elements. Only lives inside
/// ``Swift/Array/write(capacity:filler:_:)``, which holds the buffer while it does.
@safe struct CheckedWriter<Element: BitwiseCopyable> {
    private let base: UnsafeMutablePointer<Element>
    let capacity: Int
    private(set) var count = 0

    fileprivate init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        unsafe base = buffer.baseAddress!
        capacity = unsafe buffer.count
    }

    /// Appends one element; traps when the buffer is full.
    @inline(__always)
    mutating func append(_ element: Element) {
        precondition(count < capacity, "CheckedWriter: capacity")
        unsafe base[count] = element
        count &+= 1
    }

    /// Element `index` of those written so far.
    @inline(__always)
    subscript(_ index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "CheckedWriter: index")
            return unsafe base[index]
        }
        set {
            precondition(index >= 0 && index < count, "CheckedWriter: index")
            unsafe base[index] = newValue
        }
    }

    /// Forgets the last `k` elements written.
    @inline(__always)
    mutating func removeLast(_ k: Int = 1) {
        precondition(k >= 0 && k <= count, "CheckedWriter: removeLast")
        count &-= k
    }
}

extension Array where Element: BitwiseCopyable {
    /// Lets `body` write the array's first elements, with room for `capacity`, and returns how many it wrote. The array
    /// keeps its length (at least `capacity`: the owner keeps the count), so the next text of the same size allocates
    /// and fills nothing.
    @inline(__always)
    mutating func write(capacity: Int, filler: Element, _ body: (inout CheckedWriter<Element>) -> Void) -> Int {
        if count < capacity { append(contentsOf: repeatElement(filler, count: capacity - count)) }
        return unsafe withUnsafeMutableBufferPointer { buffer in
            var writer = unsafe CheckedWriter(unsafe UnsafeMutableBufferPointer(rebasing: buffer[0..<capacity]))
            body(&writer)
            return writer.count
        }
    }
}
