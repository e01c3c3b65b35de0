package org.xenpv.xenstore.domain;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;

/**
 * The daemon's domain list ({@code static LIST_HEAD(domains)}). New entries go to the front, as
 * {@code list_add()} puts them, so iteration order matches cxenstored's {@code check_domains()}.
 */
public final class Domains {

    private final LinkedList<Domain> list = new LinkedList<>();

    public Domain find(int domid) {
        for (Domain d : list) {
            if (d.domid == domid) {
                return d;
            }
        }
        return null;
    }

    /** Found and introduced ({@code find_domain_by_domid()}). */
    public Domain findIntroduced(int domid) {
        Domain d = find(domid);
        return d != null && d.introduced ? d : null;
    }

    public Domain alloc(int domid, long generation) {
        Domain d = new Domain(domid, generation);
        list.addFirst(d);
        return d;
    }

    public void remove(Domain d) {
        list.remove(d);
    }

    public List<Domain> snapshot() {
        return new ArrayList<>(list);
    }
}
