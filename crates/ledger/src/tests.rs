//! Ledger tests: the tree heads of RFC 6962's reference vectors, and every proof of small trees
//! verified, with tampered proofs refused.

use super::*;

/// The leaves of the reference vectors Certificate Transparency implementations test against.
fn reference_leaves() -> Vec<Hash> {
    let data: [&[u8]; 8] = [
        b"",
        &[0x00],
        &[0x10],
        &[0x20, 0x21],
        &[0x30, 0x31],
        &[0x40, 0x41, 0x42, 0x43],
        &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        &[
            0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
            0x6e, 0x6f,
        ],
    ];
    data.iter().map(|d| leaf_hash(d)).collect()
}

#[test]
fn tree_heads_match_the_reference_vectors() {
    let expected = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let leaves = reference_leaves();
    for (n, want) in expected.iter().enumerate() {
        assert_eq!(
            to_hex(&root(&leaves[..=n])),
            *want,
            "tree of {} leaves",
            n + 1
        );
    }
    assert_eq!(
        to_hex(&root(&[])),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        from_hex(expected[0]).map(|h| to_hex(&h)).as_deref(),
        Some(expected[0])
    );
    assert_eq!(from_hex("zz"), None);
    assert_eq!(from_hex(&"+f".repeat(32)), None, "digits only, no signs");
}

fn leaves(n: usize) -> Vec<Hash> {
    (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

#[test]
fn every_inclusion_proof_verifies_and_tampering_fails() {
    for n in 1..=33 {
        let all = leaves(n);
        let head = root(&all);
        for i in 0..n {
            let proof = inclusion_proof(&all, i).unwrap();
            let (i64_, n64) = (i as u64, n as u64);
            assert!(
                verify_inclusion(i64_, n64, &all[i], &proof, &head),
                "leaf {i} of {n}"
            );
            // Another leaf, another index, an index past the size or an altered path must all fail.
            let other = leaf_hash(b"not logged");
            assert!(!verify_inclusion(i64_, n64, &other, &proof, &head));
            if n > 1 {
                assert!(!verify_inclusion(
                    (i64_ + 1) % n64,
                    n64,
                    &all[i],
                    &proof,
                    &head
                ));
                let mut bent = proof.clone();
                bent[0][0] ^= 1;
                assert!(!verify_inclusion(i64_, n64, &all[i], &bent, &head));
            }
            assert!(!verify_inclusion(i64_, i64_, &all[i], &proof, &head));
        }
        assert!(inclusion_proof(&all, n).is_none());
    }
}

#[test]
fn every_consistency_proof_verifies_and_tampering_fails() {
    for n in 1..=33 {
        let all = leaves(n);
        let new_root = root(&all);
        for m in 0..=n {
            let old_root = root(&all[..m]);
            let proof = consistency_proof(&all, m).unwrap();
            let (m64, n64) = (m as u64, n as u64);
            assert!(
                verify_consistency(m64, n64, &proof, &old_root, &new_root),
                "{m} -> {n}"
            );
            if m > 0 && m < n {
                // A rewritten past, or a bent proof, is caught.
                let mut rewritten = all[..m].to_vec();
                rewritten[m - 1] = leaf_hash(b"replaced");
                assert!(!verify_consistency(
                    m64,
                    n64,
                    &proof,
                    &root(&rewritten),
                    &new_root
                ));
                let mut bent = proof.clone();
                let last = bent.len() - 1;
                bent[last][31] ^= 1;
                assert!(!verify_consistency(m64, n64, &bent, &old_root, &new_root));
            }
        }
        assert!(consistency_proof(&all, n + 1).is_none());
        // The empty log has one root; a proof one hash too long or short fails.
        assert!(!verify_consistency(0, n as u64, &[], &new_root, &new_root));
        if n > 2 {
            let proof = consistency_proof(&all, n - 1).unwrap();
            let old_root = root(&all[..n - 1]);
            let (m64, n64) = ((n - 1) as u64, n as u64);
            let mut longer = proof.clone();
            longer.push(new_root);
            assert!(!verify_consistency(m64, n64, &longer, &old_root, &new_root));
            assert!(!verify_consistency(
                m64,
                n64,
                &proof[..proof.len() - 1],
                &old_root,
                &new_root
            ));
        }
    }
}
