// StoragePool: recycled tensor blocks, the size threshold and the capacity bound.

import Dispatch
import Testing

@testable import VLTensor

@Suite struct StoragePoolTests {
    static let large = StoragePool.minimumPooledBytes

    @Test func aReleasedBlockServesTheNextRequestOfItsSize() {
        let pool = StoragePool(capacityBytes: 1 << 24)
        let block = pool.allocate(byteCount: Self.large)
        pool.release(block, byteCount: Self.large)
        #expect(pool.cachedBytes == Self.large)
        #expect(pool.allocate(byteCount: Self.large * 2) != block)
        let again = pool.allocate(byteCount: Self.large)
        #expect(again == block)
        #expect(pool.cachedBytes == 0)
        pool.release(again, byteCount: Self.large)
        pool.drain()
        #expect(pool.cachedBytes == 0)
    }

    @Test func smallBlocksGoBackToTheAllocator() {
        let pool = StoragePool(capacityBytes: 1 << 24)
        pool.release(pool.allocate(byteCount: Self.large - 4), byteCount: Self.large - 4)
        #expect(pool.cachedBytes == 0)
    }

    @Test func blocksAre64ByteAligned() {
        let pool = StoragePool(capacityBytes: 1 << 24)
        for size in [4, 100, Self.large, Self.large + 12] {
            let block = pool.allocate(byteCount: size)
            #expect(Int(bitPattern: block) % 64 == 0)
            pool.release(block, byteCount: size)
        }
        pool.drain()
    }

    @Test func aBlockThatDoesNotFitEvictsOtherSizes() {
        let pool = StoragePool(capacityBytes: 3 * Self.large)
        let a = pool.allocate(byteCount: Self.large), b = pool.allocate(byteCount: Self.large)
        let c = pool.allocate(byteCount: 2 * Self.large)
        pool.release(a, byteCount: Self.large)
        pool.release(b, byteCount: Self.large)
        #expect(pool.cachedBytes == 2 * Self.large)
        pool.release(c, byteCount: 2 * Self.large)
        #expect(pool.cachedBytes == 2 * Self.large)
        #expect(pool.allocate(byteCount: 2 * Self.large) == c)
        pool.release(c, byteCount: 2 * Self.large)
        pool.drain()
    }

    @Test func capacityZeroPoolsNothing() {
        let pool = StoragePool(capacityBytes: 0)
        pool.release(pool.allocate(byteCount: Self.large), byteCount: Self.large)
        #expect(pool.cachedBytes == 0)
    }

    @Test func concurrentUseKeepsTheAccountExact() {
        let pool = StoragePool(capacityBytes: 1 << 30)
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            let size = Self.large * (1 + worker % 3)
            for _ in 0..<50 {
                let block = pool.allocate(byteCount: size)
                block.storeBytes(of: UInt8(worker), as: UInt8.self)
                pool.release(block, byteCount: size)
            }
        }
        #expect(pool.cachedBytes % Self.large == 0)
        #expect(pool.cachedBytes <= 16 * 3 * Self.large)
        pool.drain()
        #expect(pool.cachedBytes == 0)
    }

    @Test func tensorsOfARecurringShapeReuseTheirStorage() {
        let shape = [Self.large / 4 / 16, 16]
        let first = Tensor(repeating: 1, shape: shape)
        let scalars = first.scalars
        #expect(scalars.allSatisfy { $0 == 1 })
        // A fresh tensor of the same shape is fully written whatever block it receives.
        let second = Tensor(repeating: 2, shape: shape)
        #expect(second.scalars.allSatisfy { $0 == 2 })
    }
}
